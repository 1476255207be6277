using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Runtype.Infrastructure.Persistence.PostgreSql.Migrations
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
                    session_id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    deleted_at = table.Column<DateTime>(type: "timestamp(3) with time zone", precision: 3, nullable: false)
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

            // Every committed insert, change and delete of a session is announced on the channel the change feed listens
            // to (PostgreSqlSessionChangeListener): '<id> <version> <u|d> <unix ms> <user id>'. NOTIFY is transactional,
            // so it is delivered only once the writing transaction commits, and never for one that rolls back, whatever
            // code or process wrote the row.
            migrationBuilder.Sql("""
                CREATE FUNCTION "tr_sessions_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'DELETE' THEN
                        PERFORM pg_notify('runtype_session_changes',
                            OLD."id"::text || ' 0 d ' || floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint || ' ' || OLD."user_id");
                    ELSE
                        PERFORM pg_notify('runtype_session_changes',
                            NEW."id"::text || ' ' || NEW."version" || ' u ' || floor(extract(epoch FROM NEW."updated_at") * 1000)::bigint || ' ' || NEW."user_id");
                    END IF;
                    RETURN NULL;
                END
                $$;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "tr_sessions_notify" AFTER INSERT OR UPDATE OR DELETE ON "sessions"
                FOR EACH ROW EXECUTE FUNCTION "tr_sessions_notify"();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "tr_sessions_notify" ON "sessions";""");
            migrationBuilder.Sql("""DROP FUNCTION IF EXISTS "tr_sessions_notify"();""");

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
