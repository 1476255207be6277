using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Runtype.Bench;

// Seeds a database the service has migrated (bench/run.sh runs its `migrate` verb first), directly in SQLite or
// PostgreSQL, with the column encodings the service uses there (BenchDatabase): ids UUIDv7, timestamps in
// milliseconds, status lowercase text, version and last_event_sequence consistent with the events written. The
// per-user counters are kept by the schema's triggers, exactly as for rows the service writes.
//
//   Seed main  <sqlite|postgresql> <db file | connection string> <outDir>
//        the ratio benchmark's data (bench_user, other_user)
//   Seed scale <sqlite|postgresql> <db file | connection string> <outDir> <sizes> <eventCount>
//        users scale_<n> with n sessions each, and one session of scale_events with <eventCount> events
// Pools of ids for the load scripts are written to <outDir>/*.ids, one id a line; the engine's version to
// <outDir>/database-version.
if (args.Length < 4)
{
    Console.Error.WriteLine("usage: Seed main <sqlite|postgresql> <db> <outDir> | Seed scale <sqlite|postgresql> <db> <outDir> <size,size,...> <eventCount>");
    return 2;
}

// SQLite: no durability while loading (the file is checkpointed at the end), a large page cache.
var database = BenchDatabase.Create(args[1], args[2], sqlitePragmas: "PRAGMA synchronous=OFF; PRAGMA foreign_keys=ON; PRAGMA cache_size=-200000;");
var seeder = new Seeder(database, DateTimeOffset.UtcNow);
var outDir = args[3];
Directory.CreateDirectory(outDir);
var started = DateTime.UtcNow;
switch (args[0])
{
    case "main":
        await seeder.SeedMainAsync(outDir);
        break;
    case "scale" when args.Length == 6:
        var sizes = args[4].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        await seeder.SeedScaleAsync(outDir, sizes, int.Parse(args[5], CultureInfo.InvariantCulture));
        break;
    default:
        Console.Error.WriteLine($"unknown profile '{args[0]}'");
        return 2;
}

Console.WriteLine($"seeded {args[0]} in {(DateTime.UtcNow - started).TotalSeconds:0.0} s");
return 0;

internal sealed class Seeder(BenchDatabase database, DateTimeOffset now)
{
    private const string Prd = """{"title":"AI Customer Support","description":"An AI-powered customer support product"}""";
    private const string Plan = """{"capabilities":["chat","search"],"surfaces":["widget"]}""";
    private const string AssemblyState = """{"step":"assembling","progress":75}""";
    private const string ProductObject = """{"config":{"maxTokens":512},"type":"text-generation"}""";
    private const long TimeToLiveMs = 30L * 24 * 3600 * 1000;

    private static readonly string[] Statuses = ["intake", "planning", "generating", "assembling", "completed", "failed", "cancelled"];

    // Already canonical (sorted keys, no whitespace), so its SHA-256 is the hash the service computes.
    private static readonly string ProductObjectHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ProductObject)));

    private readonly long _nowMs = now.ToUnixTimeMilliseconds();

    /// <summary>bench_user: 1,000 sessions (every status but expired, 0–4 events each); other_user: 1,000 sessions.</summary>
    public async Task SeedMainAsync(string outDir)
    {
        await using var db = await database.OpenAsync();
        await using var tx = await db.BeginTransactionAsync();
        var writer = new RowWriter(database, db, tx);
        var get = new List<string>();
        var patch = new List<string>();
        var patchWarm = new List<string>();
        var append = new List<string>();
        const int count = 1000;
        for (var i = 0; i < count; i++)
        {
            var status = Statuses[i % Statuses.Length];
            var id = await AddSessionAsync(writer, "bench_user", "bench_org", status, _nowMs - ((count - i) * 1000L), i % 5, full: true);
            get.Add(id);
            if (status == "planning")
            {
                // The warm-up runs patch sessions of their own, so the measured run starts with all of its in planning.
                (patch.Count < 2 * patchWarm.Count ? patch : patchWarm).Add(id);
            }

            if (status is "intake" or "generating" or "assembling")
            {
                append.Add(id);
            }
        }

        for (var i = 0; i < count; i++)
        {
            await AddSessionAsync(writer, "other_user", null, Statuses[i % Statuses.Length], _nowMs - ((count - i) * 1000L) + 500, 0, full: true);
        }

        await tx.CommitAsync();
        await FinishAsync(db, outDir);
        File.WriteAllLines(Path.Combine(outDir, "get.ids"), get);
        File.WriteAllLines(Path.Combine(outDir, "patch.ids"), patch);
        File.WriteAllLines(Path.Combine(outDir, "patch-warm.ids"), patchWarm);
        File.WriteAllLines(Path.Combine(outDir, "append.ids"), append);
    }

    /// <summary>scale_&lt;n&gt; users with n sessions each; scale_events with one session of <paramref name="eventCount"/> events.</summary>
    public async Task SeedScaleAsync(string outDir, int[] sizes, int eventCount)
    {
        await using var db = await database.OpenAsync();
        var random = new Random(42);
        foreach (var size in sizes)
        {
            var ids = new List<string>(size);
            await using (var tx = await db.BeginTransactionAsync())
            {
                var writer = new RowWriter(database, db, tx);
                for (var i = 0; i < size; i++)
                {
                    ids.Add(await AddSessionAsync(writer, $"scale_{size}", "scale_org", Statuses[i % Statuses.Length], _nowMs - ((size - i) * 1000L), 0, full: false));
                }

                await tx.CommitAsync();
            }

            File.WriteAllLines(Path.Combine(outDir, $"get-{size}.ids"), Enumerable.Range(0, Math.Min(1000, size)).Select(_ => ids[random.Next(size)]));
        }

        await using (var tx = await db.BeginTransactionAsync())
        {
            var writer = new RowWriter(database, db, tx);
            var id = await AddSessionAsync(writer, "scale_events", "scale_org", "generating", _nowMs - eventCount - 60_000, eventCount, full: true);
            await tx.CommitAsync();
            File.WriteAllLines(Path.Combine(outDir, "events.ids"), [id]);
        }

        await FinishAsync(db, outDir);
        // Cursors of the events paging call: the event in the middle of the log.
        await using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT id FROM session_events WHERE sequence = @s AND session_id = (SELECT id FROM sessions WHERE user_id = 'scale_events')";
        BenchDatabase.Add(cmd, "@s", (long)Math.Max(1, eventCount / 2));
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        File.WriteAllLines(Path.Combine(outDir, "events-middle.ids"), [database.ReadId(reader, 0)]);
    }

    private async Task<string> AddSessionAsync(RowWriter writer, string userId, string? organizationId, string status, long createdMs, int events, bool full)
    {
        var id = Uuid7(createdMs);
        var stage = Array.IndexOf(Statuses, status);
        var updatedMs = createdMs + events;
        await writer.SessionAsync(
            id,
            userId,
            organizationId,
            status,
            full ? Prd : $$"""{"title":"Session {{createdMs}}"}""",
            full && stage >= 1 ? Plan : null,
            full && status == "completed" ? ProductObject : null,
            full && status == "completed" ? ProductObjectHash : null,
            full && stage >= 3 ? AssemblyState : null,
            createdMs,
            updatedMs,
            createdMs + TimeToLiveMs,
            version: 1 + events,
            lastEventSequence: events);
        for (var e = 1; e <= events; e++)
        {
            await writer.EventAsync(Uuid7(createdMs + e), id, e, userId, organizationId, createdMs + e);
        }

        return id;
    }

    /// <summary>Makes the data ready to copy and query, and records the engine's version.</summary>
    private async Task FinishAsync(DbConnection db, string outDir)
    {
        await using (var finish = db.CreateCommand())
        {
            finish.CommandText = database.AfterBulkLoadSql;
            await finish.ExecuteNonQueryAsync();
        }

        await using var version = db.CreateCommand();
        version.CommandText = database.VersionSql;
        File.WriteAllLines(Path.Combine(outDir, "database-version"), [(string)(await version.ExecuteScalarAsync())!]);
    }

    /// <summary>A version 7 UUID for the given unix milliseconds, as the service writes it (lowercase text).</summary>
    private static string Uuid7(long unixMs) => Guid.CreateVersion7(DateTimeOffset.FromUnixTimeMilliseconds(unixMs)).ToString("D");

    /// <summary>The two inserts of a bulk load, each one command whose parameters are set again for every row.</summary>
    private sealed class RowWriter
    {
        private readonly BenchDatabase _database;
        private readonly DbCommand _session;
        private readonly DbCommand _event;

        public RowWriter(BenchDatabase database, DbConnection db, DbTransaction tx)
        {
            _database = database;
            _session = db.CreateCommand();
            _session.Transaction = tx;
            _session.CommandText = """
                INSERT INTO sessions (id, user_id, organization_id, status, catalog_version, schema_version, prd, plan, product_object,
                    product_object_hash, assembly_state, created_at, updated_at, expires_at, version, last_event_sequence)
                VALUES (@id, @user, @org, @status, '1.0', '1.0', @prd, @plan, @po, @poh, @as, @created, @updated, @expires, @version, @seq)
                """;
            foreach (var name in new[] { "@id", "@user", "@org", "@status", "@prd", "@plan", "@po", "@poh", "@as", "@created", "@updated", "@expires", "@version", "@seq" })
            {
                BenchDatabase.Add(_session, name, null);
            }

            _event = db.CreateCommand();
            _event.Transaction = tx;
            _event.CommandText = """
                INSERT INTO session_events (id, session_id, sequence, user_id, organization_id, type, stage, message, payload, created_at)
                VALUES (@id, @session, @seq, @user, @org, 'progress', 'generation', 'Generating flow capabilities...', @payload, @created)
                """;
            foreach (var name in new[] { "@id", "@session", "@seq", "@user", "@org", "@payload", "@created" })
            {
                BenchDatabase.Add(_event, name, null);
            }
        }

        public Task SessionAsync(
            string id, string userId, string? organizationId, string status, string prd, string? plan, string? productObject, string? productObjectHash,
            string? assemblyState, long created, long updated, long expires, long version, long lastEventSequence) =>
            RunAsync(_session, [_database.Id(id), userId, organizationId, status, prd, plan, productObject, productObjectHash, assemblyState,
                _database.Time(created), _database.Time(updated), _database.Time(expires), version, lastEventSequence]);

        public Task EventAsync(string id, string sessionId, long sequence, string userId, string? organizationId, long created) =>
            RunAsync(_event, [_database.Id(id), _database.Id(sessionId), sequence, userId, organizationId, $$"""{"step":{{sequence}},"totalSteps":5}""", _database.Time(created)]);

        private static async Task RunAsync(DbCommand command, object?[] values)
        {
            for (var i = 0; i < values.Length; i++)
            {
                command.Parameters[i].Value = values[i] ?? DBNull.Value;
            }

            await command.ExecuteNonQueryAsync();
        }
    }
}
