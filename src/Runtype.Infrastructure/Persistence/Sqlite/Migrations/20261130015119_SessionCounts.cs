using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Runtype.Infrastructure.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class SessionCounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_sessions_status_expires",
                table: "sessions");

            migrationBuilder.CreateTable(
                name: "session_counts",
                columns: table => new
                {
                    user_id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    status = table.Column<string>(type: "TEXT", unicode: false, maxLength: 16, nullable: false),
                    total = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_session_counts", x => new { x.user_id, x.status });
                });

            migrationBuilder.CreateIndex(
                name: "ix_sessions_status_expires",
                table: "sessions",
                columns: new[] { "status", "expires_at", "user_id" });

            // session_counts is kept by the database itself, in the transaction of every write to sessions, whatever
            // code or process writes it (see SessionCount). An UPDATE that sets neither status nor user_id does not fire.
            migrationBuilder.Sql("""
                CREATE TRIGGER "tr_sessions_counts_insert" AFTER INSERT ON "sessions"
                BEGIN
                    INSERT INTO "session_counts" ("user_id", "status", "total") VALUES (NEW."user_id", NEW."status", 1)
                    ON CONFLICT ("user_id", "status") DO UPDATE SET "total" = "total" + 1;
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "tr_sessions_counts_delete" AFTER DELETE ON "sessions"
                BEGIN
                    UPDATE "session_counts" SET "total" = "total" - 1 WHERE "user_id" = OLD."user_id" AND "status" = OLD."status";
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "tr_sessions_counts_update" AFTER UPDATE OF "user_id", "status" ON "sessions"
                WHEN OLD."user_id" IS NOT NEW."user_id" OR OLD."status" IS NOT NEW."status"
                BEGIN
                    UPDATE "session_counts" SET "total" = "total" - 1 WHERE "user_id" = OLD."user_id" AND "status" = OLD."status";
                    INSERT INTO "session_counts" ("user_id", "status", "total") VALUES (NEW."user_id", NEW."status", 1)
                    ON CONFLICT ("user_id", "status") DO UPDATE SET "total" = "total" + 1;
                END;
                """);

            // The sessions that exist already, counted once.
            migrationBuilder.Sql("""
                INSERT INTO "session_counts" ("user_id", "status", "total")
                SELECT "user_id", "status", COUNT(*) FROM "sessions" GROUP BY "user_id", "status";
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "tr_sessions_counts_insert";""");
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "tr_sessions_counts_delete";""");
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "tr_sessions_counts_update";""");

            migrationBuilder.DropTable(
                name: "session_counts");

            migrationBuilder.DropIndex(
                name: "ix_sessions_status_expires",
                table: "sessions");

            migrationBuilder.CreateIndex(
                name: "ix_sessions_status_expires",
                table: "sessions",
                columns: new[] { "status", "expires_at" });
        }
    }
}
