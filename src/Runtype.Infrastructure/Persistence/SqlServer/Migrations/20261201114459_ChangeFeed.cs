using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Runtype.Infrastructure.Persistence.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class ChangeFeed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "session_deletions",
                columns: table => new
                {
                    session_id = table.Column<string>(type: "char(36)", unicode: false, fixedLength: true, maxLength: 36, nullable: false),
                    user_id = table.Column<string>(type: "nvarchar(255)", maxLength: 255, nullable: false, collation: "Latin1_General_100_BIN2"),
                    deleted_at = table.Column<DateTime>(type: "datetime2(3)", precision: 3, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_session_deletions", x => x.session_id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_sessions_updated",
                table: "sessions",
                column: "updated_at");

            migrationBuilder.CreateIndex(
                name: "ix_sessions_user_updated",
                table: "sessions",
                columns: new[] { "user_id", "updated_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_session_deletions_deleted",
                table: "session_deletions",
                column: "deleted_at");

            migrationBuilder.CreateIndex(
                name: "ix_session_deletions_user_deleted",
                table: "session_deletions",
                columns: new[] { "user_id", "deleted_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "session_deletions");

            migrationBuilder.DropIndex(
                name: "ix_sessions_updated",
                table: "sessions");

            migrationBuilder.DropIndex(
                name: "ix_sessions_user_updated",
                table: "sessions");
        }
    }
}
