using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Runtype.Infrastructure.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class InitialCreate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "api_keys",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", unicode: false, fixedLength: true, maxLength: 16, nullable: false),
                    user_id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    organization_id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    scopes = table.Column<string>(type: "TEXT", unicode: false, maxLength: 200, nullable: false),
                    secret_hash = table.Column<byte[]>(type: "BLOB", fixedLength: true, maxLength: 32, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    last_used_at = table.Column<long>(type: "INTEGER", nullable: true),
                    revoked_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_api_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "sessions",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", unicode: false, fixedLength: true, maxLength: 36, nullable: false),
                    user_id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    organization_id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    status = table.Column<string>(type: "TEXT", unicode: false, maxLength: 16, nullable: false),
                    catalog_version = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    schema_version = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    prd = table.Column<string>(type: "TEXT", nullable: true),
                    plan = table.Column<string>(type: "TEXT", nullable: true),
                    product_object = table.Column<string>(type: "TEXT", nullable: true),
                    product_object_hash = table.Column<string>(type: "TEXT", unicode: false, maxLength: 64, nullable: true),
                    assembly_state = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: false),
                    version = table.Column<long>(type: "INTEGER", nullable: false),
                    last_event_sequence = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sessions", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "session_events",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", unicode: false, fixedLength: true, maxLength: 36, nullable: false),
                    session_id = table.Column<string>(type: "TEXT", unicode: false, fixedLength: true, maxLength: 36, nullable: false),
                    sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    user_id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    organization_id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    type = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    stage = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    message = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    payload = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_session_events", x => x.id);
                    table.ForeignKey(
                        name: "FK_session_events_sessions_session_id",
                        column: x => x.session_id,
                        principalTable: "sessions",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_api_keys_user",
                table: "api_keys",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ux_session_events_session_sequence",
                table: "session_events",
                columns: new[] { "session_id", "sequence" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_sessions_status_expires",
                table: "sessions",
                columns: new[] { "status", "expires_at" });

            migrationBuilder.CreateIndex(
                name: "ix_sessions_user_created",
                table: "sessions",
                columns: new[] { "user_id", "created_at", "id" },
                descending: new[] { false, true, true });

            migrationBuilder.CreateIndex(
                name: "ix_sessions_user_status_created",
                table: "sessions",
                columns: new[] { "user_id", "status", "created_at", "id" },
                descending: new[] { false, false, true, true });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "api_keys");

            migrationBuilder.DropTable(
                name: "session_events");

            migrationBuilder.DropTable(
                name: "sessions");
        }
    }
}
