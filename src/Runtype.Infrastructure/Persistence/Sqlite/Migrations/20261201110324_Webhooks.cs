using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Runtype.Infrastructure.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Webhooks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "webhook_endpoints",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", unicode: false, fixedLength: true, maxLength: 36, nullable: false),
                    user_id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    url = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    event_types = table.Column<string>(type: "TEXT", unicode: false, maxLength: 400, nullable: false),
                    description = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    disabled_reason = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    secret = table.Column<string>(type: "TEXT", unicode: false, maxLength: 64, nullable: false),
                    previous_secret = table.Column<string>(type: "TEXT", unicode: false, maxLength: 64, nullable: true),
                    previous_secret_expires_at = table.Column<long>(type: "INTEGER", nullable: true),
                    failing_since = table.Column<long>(type: "INTEGER", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_webhook_endpoints", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "webhook_messages",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", unicode: false, fixedLength: true, maxLength: 36, nullable: false),
                    user_id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    event_type = table.Column<string>(type: "TEXT", unicode: false, maxLength: 64, nullable: false),
                    body = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_webhook_messages", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "webhook_deliveries",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", unicode: false, fixedLength: true, maxLength: 36, nullable: false),
                    endpoint_id = table.Column<string>(type: "TEXT", unicode: false, fixedLength: true, maxLength: 36, nullable: false),
                    message_id = table.Column<string>(type: "TEXT", unicode: false, fixedLength: true, maxLength: 36, nullable: false),
                    status = table.Column<string>(type: "TEXT", unicode: false, maxLength: 16, nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    next_attempt_at = table.Column<long>(type: "INTEGER", nullable: true),
                    last_attempt_at = table.Column<long>(type: "INTEGER", nullable: true),
                    last_response_status = table.Column<int>(type: "INTEGER", nullable: true),
                    lease_token = table.Column<string>(type: "TEXT", unicode: false, fixedLength: true, maxLength: 36, nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_webhook_deliveries", x => x.id);
                    table.ForeignKey(
                        name: "FK_webhook_deliveries_webhook_endpoints_endpoint_id",
                        column: x => x.endpoint_id,
                        principalTable: "webhook_endpoints",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_webhook_deliveries_webhook_messages_message_id",
                        column: x => x.message_id,
                        principalTable: "webhook_messages",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_created",
                table: "webhook_deliveries",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_due",
                table: "webhook_deliveries",
                columns: new[] { "status", "next_attempt_at" });

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_endpoint_created",
                table: "webhook_deliveries",
                columns: new[] { "endpoint_id", "created_at", "id" },
                descending: new[] { false, true, true });

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_endpoint_status_created",
                table: "webhook_deliveries",
                columns: new[] { "endpoint_id", "status", "created_at", "id" },
                descending: new[] { false, false, true, true });

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_message",
                table: "webhook_deliveries",
                column: "message_id");

            migrationBuilder.CreateIndex(
                name: "ix_webhook_endpoints_user_created",
                table: "webhook_endpoints",
                columns: new[] { "user_id", "created_at", "id" },
                descending: new[] { false, true, true });

            migrationBuilder.CreateIndex(
                name: "ix_webhook_messages_created",
                table: "webhook_messages",
                column: "created_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "webhook_deliveries");

            migrationBuilder.DropTable(
                name: "webhook_endpoints");

            migrationBuilder.DropTable(
                name: "webhook_messages");
        }
    }
}
