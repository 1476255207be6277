using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Runtype.Infrastructure.Persistence.PostgreSql.Migrations
{
    /// <summary>
    /// A status change moves a session from one count row to another, and each is locked as it is changed. The first
    /// version of the trigger function took the old status's row first: two opposite changes of one user's sessions at
    /// once (planning → generating beside generating → planning) each held one row and waited for the other, a deadlock
    /// PostgreSQL broke after deadlock_timeout (a second) by failing one of them (found by bench/run.sh). Both rows are
    /// now taken in (user_id, status) order, whichever way the change goes, so one of the two waits for the other.
    /// </summary>
    public partial class SessionCountsInLockOrder : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION "tr_sessions_counts"() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'UPDATE' AND (NEW."user_id", NEW."status") < (OLD."user_id", OLD."status") THEN
                        INSERT INTO "session_counts" ("user_id", "status", "total") VALUES (NEW."user_id", NEW."status", 1)
                        ON CONFLICT ("user_id", "status") DO UPDATE SET "total" = "session_counts"."total" + 1;
                        UPDATE "session_counts" SET "total" = "total" - 1 WHERE "user_id" = OLD."user_id" AND "status" = OLD."status";
                        RETURN NULL;
                    END IF;
                    IF TG_OP IN ('UPDATE', 'DELETE') THEN
                        UPDATE "session_counts" SET "total" = "total" - 1 WHERE "user_id" = OLD."user_id" AND "status" = OLD."status";
                    END IF;
                    IF TG_OP IN ('INSERT', 'UPDATE') THEN
                        INSERT INTO "session_counts" ("user_id", "status", "total") VALUES (NEW."user_id", NEW."status", 1)
                        ON CONFLICT ("user_id", "status") DO UPDATE SET "total" = "session_counts"."total" + 1;
                    END IF;
                    RETURN NULL;
                END
                $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION "tr_sessions_counts"() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP IN ('UPDATE', 'DELETE') THEN
                        UPDATE "session_counts" SET "total" = "total" - 1 WHERE "user_id" = OLD."user_id" AND "status" = OLD."status";
                    END IF;
                    IF TG_OP IN ('INSERT', 'UPDATE') THEN
                        INSERT INTO "session_counts" ("user_id", "status", "total") VALUES (NEW."user_id", NEW."status", 1)
                        ON CONFLICT ("user_id", "status") DO UPDATE SET "total" = "session_counts"."total" + 1;
                    END IF;
                    RETURN NULL;
                END
                $$;
                """);
        }
    }
}
