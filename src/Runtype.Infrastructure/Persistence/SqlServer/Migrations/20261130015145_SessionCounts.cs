using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Runtype.Infrastructure.Persistence.SqlServer.Migrations
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
                    user_id = table.Column<string>(type: "nvarchar(255)", maxLength: 255, nullable: false, collation: "Latin1_General_100_BIN2"),
                    status = table.Column<string>(type: "varchar(16)", unicode: false, maxLength: 16, nullable: false),
                    total = table.Column<long>(type: "bigint", nullable: false)
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
            // code or process writes it (see SessionCount). HOLDLOCK: two first sessions of one user and status insert
            // one row between them. An UPDATE that sets neither status nor user_id changes no count.
            migrationBuilder.Sql("""
                CREATE TRIGGER [tr_sessions_counts] ON [sessions] AFTER INSERT, UPDATE, DELETE
                AS
                BEGIN
                    SET NOCOUNT ON;
                    IF EXISTS (SELECT 1 FROM inserted) AND EXISTS (SELECT 1 FROM deleted) AND NOT (UPDATE([status]) OR UPDATE([user_id]))
                        RETURN;
                    MERGE [session_counts] WITH (HOLDLOCK) AS [t]
                    USING (
                        SELECT [user_id], [status], SUM([delta]) AS [delta]
                        FROM (
                            SELECT [user_id], [status], 1 AS [delta] FROM inserted
                            UNION ALL
                            SELECT [user_id], [status], -1 AS [delta] FROM deleted) AS [changes]
                        GROUP BY [user_id], [status]
                        HAVING SUM([delta]) <> 0) AS [s]
                    ON [t].[user_id] = [s].[user_id] AND [t].[status] = [s].[status]
                    WHEN MATCHED THEN UPDATE SET [total] = [t].[total] + [s].[delta]
                    WHEN NOT MATCHED THEN INSERT ([user_id], [status], [total]) VALUES ([s].[user_id], [s].[status], [s].[delta]);
                END
                """);

            // The sessions that exist already, counted once.
            migrationBuilder.Sql("""
                INSERT INTO [session_counts] ([user_id], [status], [total])
                SELECT [user_id], [status], COUNT_BIG(*) FROM [sessions] GROUP BY [user_id], [status];
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS [tr_sessions_counts];");

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
