using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

// Seeds a database the service has migrated (bench/run.sh runs its `migrate` verb first), directly in SQLite, with the
// column encodings the service uses: ids lowercase UUIDv7 text, timestamps INTEGER unix milliseconds, status lowercase
// text, version and last_event_sequence consistent with the events written. The per-user counters are kept by the
// schema's triggers, exactly as for rows the service writes.
//
//   Seed main  <db> <outDir>                         the ratio benchmark's data (bench_user, other_user)
//   Seed scale <db> <outDir> <sizes> <eventCount>    users scale_<n> with n sessions each, and one session of
//                                                    scale_events with <eventCount> events
// Pools of ids for the load scripts are written to <outDir>/*.ids, one id a line.
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: Seed main <db> <outDir> | Seed scale <db> <outDir> <size,size,...> <eventCount>");
    return 2;
}

var seeder = new Seeder(args[1], DateTimeOffset.UtcNow);
Directory.CreateDirectory(args[2]);
var started = DateTime.UtcNow;
switch (args[0])
{
    case "main":
        seeder.SeedMain(args[2]);
        break;
    case "scale" when args.Length == 5:
        var sizes = args[3].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        seeder.SeedScale(args[2], sizes, int.Parse(args[4], CultureInfo.InvariantCulture));
        break;
    default:
        Console.Error.WriteLine($"unknown profile '{args[0]}'");
        return 2;
}

Console.WriteLine($"seeded {args[0]} in {(DateTime.UtcNow - started).TotalSeconds:0.0} s");
return 0;

internal sealed class Seeder(string databasePath, DateTimeOffset now)
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
    public void SeedMain(string outDir)
    {
        using var db = Open();
        using var tx = db.BeginTransaction();
        var writer = new RowWriter(db, tx);
        var get = new List<string>();
        var patch = new List<string>();
        var patchWarm = new List<string>();
        var append = new List<string>();
        const int count = 1000;
        for (var i = 0; i < count; i++)
        {
            var status = Statuses[i % Statuses.Length];
            var id = AddSession(writer, "bench_user", "bench_org", status, _nowMs - ((count - i) * 1000L), i % 5, full: true);
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
            AddSession(writer, "other_user", null, Statuses[i % Statuses.Length], _nowMs - ((count - i) * 1000L) + 500, 0, full: true);
        }

        tx.Commit();
        Finish(db);
        File.WriteAllLines(Path.Combine(outDir, "sqlite-version"), [SqliteVersion(db)]);
        File.WriteAllLines(Path.Combine(outDir, "get.ids"), get);
        File.WriteAllLines(Path.Combine(outDir, "patch.ids"), patch);
        File.WriteAllLines(Path.Combine(outDir, "patch-warm.ids"), patchWarm);
        File.WriteAllLines(Path.Combine(outDir, "append.ids"), append);
    }

    /// <summary>scale_&lt;n&gt; users with n sessions each; scale_events with one session of <paramref name="eventCount"/> events.</summary>
    public void SeedScale(string outDir, int[] sizes, int eventCount)
    {
        using var db = Open();
        var random = new Random(42);
        foreach (var size in sizes)
        {
            var ids = new List<string>(size);
            using (var tx = db.BeginTransaction())
            {
                var writer = new RowWriter(db, tx);
                for (var i = 0; i < size; i++)
                {
                    ids.Add(AddSession(writer, $"scale_{size}", "scale_org", Statuses[i % Statuses.Length], _nowMs - ((size - i) * 1000L), 0, full: false));
                }

                tx.Commit();
            }

            File.WriteAllLines(Path.Combine(outDir, $"get-{size}.ids"), Enumerable.Range(0, Math.Min(1000, size)).Select(_ => ids[random.Next(size)]));
        }

        using (var tx = db.BeginTransaction())
        {
            var writer = new RowWriter(db, tx);
            var id = AddSession(writer, "scale_events", "scale_org", "generating", _nowMs - eventCount - 60_000, eventCount, full: true);
            tx.Commit();
            File.WriteAllLines(Path.Combine(outDir, "events.ids"), [id]);
        }

        Finish(db);
        // Cursors of the events paging call: the event in the middle of the log.
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT id FROM session_events WHERE sequence = $s AND session_id = (SELECT id FROM sessions WHERE user_id = 'scale_events')";
        cmd.Parameters.AddWithValue("$s", Math.Max(1, eventCount / 2));
        File.WriteAllLines(Path.Combine(outDir, "events-middle.ids"), [(string)cmd.ExecuteScalar()!]);
    }

    private string AddSession(RowWriter writer, string userId, string? organizationId, string status, long createdMs, int events, bool full)
    {
        var id = Uuid7(createdMs);
        var stage = Array.IndexOf(Statuses, status);
        var updatedMs = createdMs + events;
        writer.Session(
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
            writer.Event(Uuid7(createdMs + e), id, e, userId, organizationId, createdMs + e);
        }

        return id;
    }

    private static string SqliteVersion(SqliteConnection db)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT sqlite_version()";
        return (string)cmd.ExecuteScalar()!;
    }

    private SqliteConnection Open()
    {
        var db = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        db.Open();
        using var pragma = db.CreateCommand();
        pragma.CommandText = "PRAGMA synchronous=OFF; PRAGMA foreign_keys=ON; PRAGMA cache_size=-200000;";
        pragma.ExecuteNonQuery();
        return db;
    }

    private static void Finish(SqliteConnection db)
    {
        // A clean file to copy: everything in the main file, the WAL emptied.
        using var cmd = db.CreateCommand();
        cmd.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
        cmd.ExecuteNonQuery();
    }

    /// <summary>A version 7 UUID for the given unix milliseconds, as the service writes it (lowercase text).</summary>
    private static string Uuid7(long unixMs) => Guid.CreateVersion7(DateTimeOffset.FromUnixTimeMilliseconds(unixMs)).ToString("D");

    private sealed class RowWriter
    {
        private readonly SqliteCommand _session;
        private readonly SqliteCommand _event;

        public RowWriter(SqliteConnection db, SqliteTransaction tx)
        {
            _session = db.CreateCommand();
            _session.Transaction = tx;
            _session.CommandText = """
                INSERT INTO sessions (id, user_id, organization_id, status, catalog_version, schema_version, prd, plan, product_object,
                    product_object_hash, assembly_state, created_at, updated_at, expires_at, version, last_event_sequence)
                VALUES ($id, $user, $org, $status, '1.0', '1.0', $prd, $plan, $po, $poh, $as, $created, $updated, $expires, $version, $seq)
                """;
            foreach (var name in new[] { "$id", "$user", "$org", "$status", "$prd", "$plan", "$po", "$poh", "$as", "$created", "$updated", "$expires", "$version", "$seq" })
            {
                _session.Parameters.Add(new SqliteParameter(name, null));
            }

            _session.Prepare();
            _event = db.CreateCommand();
            _event.Transaction = tx;
            _event.CommandText = """
                INSERT INTO session_events (id, session_id, sequence, user_id, organization_id, type, stage, message, payload, created_at)
                VALUES ($id, $session, $seq, $user, $org, 'progress', 'generation', 'Generating flow capabilities...', $payload, $created)
                """;
            foreach (var name in new[] { "$id", "$session", "$seq", "$user", "$org", "$payload", "$created" })
            {
                _event.Parameters.Add(new SqliteParameter(name, null));
            }

            _event.Prepare();
        }

        public void Session(
            string id, string userId, string? organizationId, string status, string prd, string? plan, string? productObject, string? productObjectHash,
            string? assemblyState, long created, long updated, long expires, long version, long lastEventSequence)
        {
            object?[] values = [id, userId, organizationId, status, prd, plan, productObject, productObjectHash, assemblyState, created, updated, expires, version, lastEventSequence];
            for (var i = 0; i < values.Length; i++)
            {
                _session.Parameters[i].Value = values[i] ?? DBNull.Value;
            }

            _session.ExecuteNonQuery();
        }

        public void Event(string id, string sessionId, long sequence, string userId, string? organizationId, long created)
        {
            object?[] values = [id, sessionId, sequence, userId, organizationId, $$"""{"step":{{sequence}},"totalSteps":5}""", created];
            for (var i = 0; i < values.Length; i++)
            {
                _event.Parameters[i].Value = values[i] ?? DBNull.Value;
            }

            _event.ExecuteNonQuery();
        }
    }
}
