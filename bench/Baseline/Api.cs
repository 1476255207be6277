using System.Buffers;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Runtype.Bench.Baseline;

/// <summary>
/// The calls, written out by hand: authenticate, validate, one connection, plain SQL, JSON written directly. The SQL is
/// the same on every provider; what differs (stored ids and times, the read for a change, one writer at a time) comes
/// from <see cref="BenchDatabase"/>.
/// </summary>
internal sealed class Api(BenchDatabase database, TimeProvider clock)
{
    public const long MaxBodyBytes = 1024 * 1024;

    private const string Base = "/v1/products/generation/sessions";
    private const string SessionColumns = """
        id, user_id, organization_id, status, catalog_version, schema_version, prd, plan, product_object, product_object_hash,
        assembly_state, created_at, updated_at, expires_at, version, last_event_sequence
        """;

    private const string EventColumns = "id, session_id, user_id, organization_id, type, stage, message, payload, created_at, sequence";

    private const string ReadSql = $"SELECT {SessionColumns} FROM sessions WHERE id = @id AND user_id = @user";

    private static readonly string[] Statuses = ["intake", "planning", "generating", "assembling", "completed", "failed", "cancelled", "expired"];
    private static readonly string[] Active = ["intake", "planning", "generating", "assembling"];

    private static readonly Dictionary<string, string[]> Transitions = new(StringComparer.Ordinal)
    {
        ["intake"] = ["planning", "generating", "failed", "cancelled"],
        ["planning"] = ["generating", "failed", "cancelled"],
        ["generating"] = ["planning", "assembling", "failed", "cancelled"],
        ["assembling"] = ["generating", "completed", "failed", "cancelled"],
    };

    // Like the service on SQLite: this process's writers take turns (asynchronously) before BEGIN IMMEDIATE, so none of
    // them sleeps on SQLite's lock while holding a thread. On PostgreSQL writers queue on the session row's lock instead.
    private readonly SemaphoreSlim? _writeGate = database.OneWriterAtATime ? new(1, 1) : null;

    private readonly string _readForChangeSql = ReadSql + database.ForUpdate;

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
    private static readonly JsonDocumentOptions ReaderOptions = new() { MaxDepth = 64, AllowDuplicateProperties = false };

    public async Task ListAsync(HttpContext context)
    {
        await using var db = await OpenAsync();
        var caller = await AuthenticateAsync(context, db, "sessions:read");
        if (caller is null)
        {
            return;
        }

        var query = context.Request.Query;
        var status = query["status"].ToString();
        if (query.ContainsKey("status") && Array.IndexOf(Statuses, status) < 0)
        {
            await ProblemAsync(context, 400, "status must be one of: " + string.Join(", ", Statuses) + ".");
            return;
        }

        if (!TryInt(query, "limit", 20, 1, 100, out var limit) || !TryInt(query, "offset", 0, 0, int.MaxValue, out var offset))
        {
            await ProblemAsync(context, 400, "limit must be an integer from 1 to 100 and offset an integer of 0 or more.");
            return;
        }

        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var total = await CountAsync(db, caller.UserId, status, now);

        using var page = db.CreateCommand();
        page.CommandText = $"SELECT {SessionColumns} FROM sessions WHERE user_id = @user{FilterSql(status)} ORDER BY created_at DESC, id DESC LIMIT @limit OFFSET @offset";
        Add(page, "@user", caller.UserId);
        AddFilterParameters(page, status, now);
        Add(page, "@limit", limit);
        Add(page, "@offset", offset);
        var writer = Begin(context, 200, out var json);
        json.WriteStartObject();
        json.WriteStartArray("data");
        if (total > offset)
        {
            await using var reader = await page.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                WriteSession(json, reader, now);
            }
        }

        json.WriteEndArray();
        json.WriteStartObject("pagination");
        json.WriteNumber("limit", limit);
        json.WriteNumber("offset", offset);
        json.WriteNumber("total", total);
        json.WriteEndObject();
        json.WriteEndObject();
        await EndAsync(json, writer);
    }

    public async Task GetAsync(HttpContext context, string id)
    {
        await using var db = await OpenAsync();
        var caller = await AuthenticateAsync(context, db, "sessions:read");
        if (caller is null)
        {
            return;
        }

        if (!IsUuid(id))
        {
            await ProblemAsync(context, 404, "No session with this id was found.");
            return;
        }

        // The session first, then its events, written as they are read (one reader open at a time: PostgreSQL's rule).
        var session = await ReadSessionAsync(db, null, id, caller.UserId, lockRow: false);
        if (session is null)
        {
            await ProblemAsync(context, 404, "No session with this id was found.");
            return;
        }

        using var events = db.CreateCommand();
        events.CommandText = $"SELECT {EventColumns} FROM session_events WHERE session_id = @id ORDER BY sequence";
        Add(events, "@id", database.Id(id));
        await using var eventReader = await events.ExecuteReaderAsync();
        context.Response.Headers.ETag = ETag(session.Version);
        var writer = Begin(context, 200, out var json);
        WriteSession(json, session, clock.GetUtcNow().ToUnixTimeMilliseconds(), keepOpen: true);
        json.WriteStartArray("events");
        while (await eventReader.ReadAsync())
        {
            WriteEvent(json, eventReader);
        }

        json.WriteEndArray();
        json.WriteEndObject();
        await EndAsync(json, writer);
    }

    public async Task ListEventsAsync(HttpContext context, string id)
    {
        await using var db = await OpenAsync();
        var caller = await AuthenticateAsync(context, db, "sessions:read");
        if (caller is null)
        {
            return;
        }

        if (!IsUuid(id) || !TryInt(context.Request.Query, "limit", 100, 1, 500, out var limit))
        {
            await ProblemAsync(context, 400, "Bad request.");
            return;
        }

        using var exists = db.CreateCommand();
        exists.CommandText = "SELECT 1 FROM sessions WHERE id = @id AND user_id = @user";
        Add(exists, "@id", database.Id(id));
        Add(exists, "@user", caller.UserId);
        if (await exists.ExecuteScalarAsync() is null)
        {
            await ProblemAsync(context, 404, "No session with this id was found.");
            return;
        }

        var after = context.Request.Query["after"].ToString();
        long afterSequence = 0;
        if (after.Length > 0)
        {
            using var cursor = db.CreateCommand();
            cursor.CommandText = "SELECT sequence FROM session_events WHERE id = @event AND session_id = @id AND user_id = @user";
            if (!IsUuid(after))
            {
                await ProblemAsync(context, 400, "after must be the id of an event of this session.");
                return;
            }

            Add(cursor, "@event", database.Id(after));
            Add(cursor, "@id", database.Id(id));
            Add(cursor, "@user", caller.UserId);
            if (await cursor.ExecuteScalarAsync() is not long sequence)
            {
                await ProblemAsync(context, 400, "after must be the id of an event of this session.");
                return;
            }

            afterSequence = sequence;
        }

        using var page = db.CreateCommand();
        page.CommandText = $"SELECT {EventColumns} FROM session_events WHERE session_id = @id AND sequence > @after ORDER BY sequence LIMIT @take";
        Add(page, "@id", database.Id(id));
        Add(page, "@after", afterSequence);
        Add(page, "@take", limit + 1);
        var writer = Begin(context, 200, out var json);
        json.WriteStartObject();
        json.WriteStartArray("data");
        string? next = null;
        var count = 0;
        await using (var reader = await page.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                if (++count > limit)
                {
                    break;
                }

                next = database.ReadId(reader, 0);
                WriteEvent(json, reader);
            }
        }

        json.WriteEndArray();
        json.WriteStartObject("pagination");
        json.WriteNumber("limit", limit);
        WriteNullable(json, "after", after.Length > 0 ? after : null);
        WriteNullable(json, "next", count > limit ? next : null);
        json.WriteEndObject();
        json.WriteEndObject();
        await EndAsync(json, writer);
    }

    public async Task CreateAsync(HttpContext context)
    {
        await using var db = await OpenAsync();
        var caller = await AuthenticateAsync(context, db, "sessions:write");
        if (caller is null)
        {
            return;
        }

        using var body = await ReadBodyAsync(context, allowEmpty: true);
        if (body.Error is not null)
        {
            await ProblemAsync(context, body.Status, body.Error);
            return;
        }

        string? catalogVersion = null, schemaVersion = null, prd = null;
        if (body.Document is { } document)
        {
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var ok = property.Name switch
                {
                    "catalogVersion" => TryShortString(property.Value, 64, out catalogVersion),
                    "schemaVersion" => TryShortString(property.Value, 64, out schemaVersion),
                    "prd" => TryObject(property.Value, out prd),
                    _ => false,
                };
                if (!ok)
                {
                    await ProblemAsync(context, 400, $"The field '{property.Name}' is invalid.");
                    return;
                }
            }
        }

        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var id = Guid.CreateVersion7(DateTimeOffset.FromUnixTimeMilliseconds(now)).ToString("D");
        using (await WriteTurnAsync())
        await using (var tx = await db.BeginTransactionAsync())
        {
            using var insert = db.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = """
                INSERT INTO sessions (id, user_id, organization_id, status, catalog_version, schema_version, prd, plan, product_object,
                    product_object_hash, assembly_state, created_at, updated_at, expires_at, version, last_event_sequence)
                VALUES (@id, @user, @org, 'intake', @catalog, @schema, @prd, NULL, NULL, NULL, NULL, @now, @now, @expires, 1, 0)
                """;
            Add(insert, "@id", database.Id(id));
            Add(insert, "@user", caller.UserId);
            Add(insert, "@org", caller.OrganizationId);
            Add(insert, "@catalog", catalogVersion);
            Add(insert, "@schema", schemaVersion);
            Add(insert, "@prd", prd);
            Add(insert, "@now", database.Time(now));
            Add(insert, "@expires", database.Time(now + (long)TimeSpan.FromDays(30).TotalMilliseconds));
            await insert.ExecuteNonQueryAsync();
            await tx.CommitAsync();
        }

        context.Response.Headers.Location = $"{Base}/{id}";
        context.Response.Headers.ETag = ETag(1);
        var writer = Begin(context, 201, out var json);
        WriteSession(json, new SessionRow(id, caller.UserId, caller.OrganizationId, "intake", catalogVersion, schemaVersion, prd, null, null, null, null, now, now, now + (long)TimeSpan.FromDays(30).TotalMilliseconds), now);
        await EndAsync(json, writer);
    }

    public async Task UpdateAsync(HttpContext context, string id)
    {
        await using var db = await OpenAsync();
        var caller = await AuthenticateAsync(context, db, "sessions:write");
        if (caller is null)
        {
            return;
        }

        using var body = await ReadBodyAsync(context, allowEmpty: false);
        if (body.Error is not null)
        {
            await ProblemAsync(context, body.Status, body.Error);
            return;
        }

        var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var property in body.Document!.RootElement.EnumerateObject())
        {
            string? value = null;
            var ok = property.Name switch
            {
                "status" => property.Value.ValueKind == JsonValueKind.String && Array.IndexOf(Statuses, value = property.Value.GetString()) >= 0,
                "prd" or "plan" => TryObject(property.Value, out value),
                "assemblyState" => TryObject(property.Value, out value) && ValidProgress(property.Value),
                "productObjectHash" => TryShortString(property.Value, 64, out value),
                _ => false, // productObject needs RFC 8785 hashing, which the bench never sends: not written here.
            };
            if (!ok)
            {
                await ProblemAsync(context, 400, $"The field '{property.Name}' is invalid.");
                return;
            }

            fields[property.Name] = value;
        }

        if (fields.Count == 0 || !IsUuid(id))
        {
            await ProblemAsync(context, fields.Count == 0 ? 400 : 404, "Bad request.");
            return;
        }

        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        using var turn = await WriteTurnAsync();
        await using var tx = await db.BeginTransactionAsync();
        var row = await ReadSessionAsync(db, tx, id, caller.UserId, lockRow: true);
        if (row is null)
        {
            await ProblemAsync(context, 404, "No session with this id was found.");
            return;
        }

        if (WriteRefusal(row, now) is { } refusal)
        {
            await ProblemAsync(context, 409, refusal);
            return;
        }

        if (fields.TryGetValue("productObjectHash", out var expectedHash) && !string.Equals(expectedHash, row.ProductObjectHash, StringComparison.OrdinalIgnoreCase))
        {
            await ProblemAsync(context, 409, "productObjectHash does not match.");
            return;
        }

        var status = fields.TryGetValue("status", out var requested) ? requested! : row.Status;
        if (status != row.Status && !(Transitions.TryGetValue(row.Status, out var next) && Array.IndexOf(next, status) >= 0))
        {
            await ProblemAsync(context, 409, $"A session in status {row.Status} cannot move to {status}.");
            return;
        }

        var updated = row with
        {
            Status = status,
            Prd = fields.TryGetValue("prd", out var prd) ? prd : row.Prd,
            Plan = fields.TryGetValue("plan", out var plan) ? plan : row.Plan,
            AssemblyState = fields.TryGetValue("assemblyState", out var state) ? state : row.AssemblyState,
        };
        if (updated != row)
        {
            updated = updated with { UpdatedAt = Math.Max(now, row.CreatedAt), Version = row.Version + 1 };
            if (status != row.Status)
            {
                updated = updated with { LastEventSequence = row.LastEventSequence + 1 };
                await InsertEventAsync(
                    db, tx, updated, "status_changed", status, $"Status changed from {row.Status} to {status}.",
                    $$"""{"from":"{{row.Status}}","to":"{{status}}"}""", now);
            }

            using var update = db.CreateCommand();
            update.Transaction = tx;
            update.CommandText = """
                UPDATE sessions SET status = @status, prd = @prd, plan = @plan, assembly_state = @state, updated_at = @updated,
                    version = @version, last_event_sequence = @seq
                WHERE id = @id AND version = @original
                """;
            Add(update, "@status", updated.Status);
            Add(update, "@prd", updated.Prd);
            Add(update, "@plan", updated.Plan);
            Add(update, "@state", updated.AssemblyState);
            Add(update, "@updated", database.Time(updated.UpdatedAt));
            Add(update, "@version", updated.Version);
            Add(update, "@seq", updated.LastEventSequence);
            Add(update, "@id", database.Id(id));
            Add(update, "@original", row.Version);
            if (await update.ExecuteNonQueryAsync() != 1)
            {
                await ProblemAsync(context, 409, "Concurrent update.");
                return;
            }

            await tx.CommitAsync();
        }

        turn.Dispose();
        context.Response.Headers.ETag = ETag(updated.Version);
        var writer = Begin(context, 200, out var json);
        WriteSession(json, updated, now);
        await EndAsync(json, writer);
    }

    public async Task AppendEventAsync(HttpContext context, string id)
    {
        await using var db = await OpenAsync();
        var caller = await AuthenticateAsync(context, db, "sessions:write");
        if (caller is null)
        {
            return;
        }

        using var body = await ReadBodyAsync(context, allowEmpty: false);
        if (body.Error is not null)
        {
            await ProblemAsync(context, body.Status, body.Error);
            return;
        }

        string? type = null, stage = null, message = null, payload = null;
        foreach (var property in body.Document!.RootElement.EnumerateObject())
        {
            var ok = property.Name switch
            {
                "type" => TryShortString(property.Value, 100, out type) && !HasControl(type),
                "stage" => TryShortString(property.Value, 100, out stage) && !HasControl(stage),
                "message" => TryShortString(property.Value, 4000, out message),
                "payload" => TryObject(property.Value, out payload),
                _ => false,
            };
            if (!ok)
            {
                await ProblemAsync(context, 400, $"The field '{property.Name}' is invalid.");
                return;
            }
        }

        if (string.IsNullOrWhiteSpace(type) || type == "status_changed" || !IsUuid(id))
        {
            await ProblemAsync(context, IsUuid(id) ? 400 : 404, "type is required: a non-blank string.");
            return;
        }

        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        using var turn = await WriteTurnAsync();
        await using var tx = await db.BeginTransactionAsync();
        var row = await ReadSessionAsync(db, tx, id, caller.UserId, lockRow: true);
        if (row is null)
        {
            await ProblemAsync(context, 404, "No session with this id was found.");
            return;
        }

        if (WriteRefusal(row, now) is { } refusal)
        {
            await ProblemAsync(context, 409, refusal);
            return;
        }

        var updated = row with { UpdatedAt = Math.Max(now, row.CreatedAt), Version = row.Version + 1, LastEventSequence = row.LastEventSequence + 1 };
        var eventId = await InsertEventAsync(db, tx, updated, type, stage, message, payload ?? "{}", now);
        using (var update = db.CreateCommand())
        {
            update.Transaction = tx;
            update.CommandText = "UPDATE sessions SET updated_at = @updated, version = @version, last_event_sequence = @seq WHERE id = @id AND version = @original";
            Add(update, "@updated", database.Time(updated.UpdatedAt));
            Add(update, "@version", updated.Version);
            Add(update, "@seq", updated.LastEventSequence);
            Add(update, "@id", database.Id(id));
            Add(update, "@original", row.Version);
            if (await update.ExecuteNonQueryAsync() != 1)
            {
                await ProblemAsync(context, 409, "Concurrent update.");
                return;
            }
        }

        await tx.CommitAsync();
        turn.Dispose();
        context.Response.Headers.Location = $"{Base}/{id}/events/{eventId}";
        var writer = Begin(context, 201, out var json);
        json.WriteStartObject();
        json.WriteString("id", eventId);
        json.WriteString("sessionId", id);
        json.WriteString("userId", row.UserId);
        WriteNullable(json, "organizationId", row.OrganizationId);
        json.WriteString("type", type);
        WriteNullable(json, "stage", stage);
        WriteNullable(json, "message", message);
        json.WritePropertyName("payload");
        json.WriteRawValue(payload ?? "{}", skipInputValidation: true);
        json.WriteString("createdAt", Timestamp(now));
        json.WriteEndObject();
        await EndAsync(json, writer);
    }

    private async Task<Turn> WriteTurnAsync()
    {
        if (_writeGate is not null)
        {
            await _writeGate.WaitAsync();
        }

        return new Turn(_writeGate);
    }

    /// <summary>A turn to write (none where the database lets writers queue on their rows); released once.</summary>
    private sealed class Turn(SemaphoreSlim? gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate?.Release();
            }
        }
    }

    // ---- authentication -------------------------------------------------------------------------------------------

    private sealed record Caller(string UserId, string? OrganizationId);

    /// <summary>One indexed lookup of the key by its id part, a constant-time hash check, lastUsedAt at most once a minute.</summary>
    private async Task<Caller?> AuthenticateAsync(HttpContext context, DbConnection db, string scope)
    {
        var header = context.Request.Headers.Authorization.ToString().Trim();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : header;
        if (token.Length < 3 + 16 + 2 || !token.StartsWith("rt_", StringComparison.Ordinal) || token[19] != '_'
            || token.AsSpan(3, 16).ContainsAnyExcept("0123456789abcdef"))
        {
            await UnauthorizedAsync(context);
            return null;
        }

        using var read = db.CreateCommand();
        read.CommandText = "SELECT user_id, organization_id, scopes, secret_hash, last_used_at, revoked_at FROM api_keys WHERE id = @id";
        Add(read, "@id", token.Substring(3, 16));
        string userId, scopes;
        string? organizationId;
        long? lastUsed;
        await using (var key = await read.ExecuteReaderAsync())
        {
            if (!await key.ReadAsync() || !key.IsDBNull(5)
                || !CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(token)), (byte[])key.GetValue(3)))
            {
                await UnauthorizedAsync(context);
                return null;
            }

            userId = key.GetString(0);
            organizationId = key.IsDBNull(1) ? null : key.GetString(1);
            scopes = key.GetString(2);
            lastUsed = key.IsDBNull(4) ? null : database.ReadTime(key, 4);
        }

        if (Array.IndexOf(scopes.Split(' '), scope) < 0)
        {
            await ProblemAsync(context, 403, "The credential is valid but lacks the scope this call needs.");
            return null;
        }

        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (lastUsed is null || now - lastUsed >= 60_000)
        {
            using var used = db.CreateCommand();
            used.CommandText = "UPDATE api_keys SET last_used_at = @now WHERE id = @id AND (last_used_at IS NULL OR last_used_at <= @stale)";
            Add(used, "@now", database.Time(now));
            Add(used, "@stale", database.Time(now - 60_000));
            Add(used, "@id", token.Substring(3, 16));
            await used.ExecuteNonQueryAsync();
        }

        return new Caller(userId, organizationId);
    }

    private static Task UnauthorizedAsync(HttpContext context)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"runtype\"";
        return ProblemAsync(context, 401, "A valid API key is required.");
    }

    // ---- storage ----------------------------------------------------------------------------------------------------

    private sealed record SessionRow(
        string Id, string UserId, string? OrganizationId, string Status, string? CatalogVersion, string? SchemaVersion, string? Prd, string? Plan,
        string? ProductObject, string? ProductObjectHash, string? AssemblyState, long CreatedAt, long UpdatedAt, long ExpiresAt, long Version = 1,
        long LastEventSequence = 0);

    private Task<DbConnection> OpenAsync() => database.OpenAsync();

    /// <summary>The filter on the status clients see (none for ""): an active session past its expiry counts as expired.</summary>
    private static string FilterSql(string status) => status switch
    {
        "" => "",
        "expired" => " AND (status = 'expired' OR (expires_at <= @now AND status NOT IN ('completed', 'failed', 'cancelled')))",
        "completed" or "failed" or "cancelled" => " AND status = @status",
        _ => " AND status = @status AND expires_at > @now",
    };

    /// <summary>The parameters <see cref="FilterSql"/> names, and only those.</summary>
    private void AddFilterParameters(DbCommand command, string status, long now)
    {
        if (status.Length > 0 && status != "expired")
        {
            Add(command, "@status", status);
        }

        if (status.Length > 0 && status is not ("completed" or "failed" or "cancelled"))
        {
            Add(command, "@now", database.Time(now));
        }
    }

    /// <summary>
    /// The same count as the service: the per-user, per-status counts the schema's triggers keep (they fire for this
    /// app's writes too), corrected by an indexed count of active sessions already past their expiry.
    /// </summary>
    private async Task<long> CountAsync(DbConnection db, string userId, string status, long now)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        using (var read = db.CreateCommand())
        {
            read.CommandText = "SELECT status, total FROM session_counts WHERE user_id = @user";
            Add(read, "@user", userId);
            await using var reader = await read.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                counts[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        if (status.Length == 0)
        {
            return counts.Values.Sum();
        }

        if (status is "completed" or "failed" or "cancelled")
        {
            return counts.GetValueOrDefault(status);
        }

        using var overdue = db.CreateCommand();
        overdue.CommandText = status == "expired"
            ? "SELECT COUNT(*) FROM sessions WHERE user_id = @user AND status IN ('intake', 'planning', 'generating', 'assembling') AND expires_at <= @now"
            : "SELECT COUNT(*) FROM sessions WHERE user_id = @user AND status = @status AND expires_at <= @now";
        Add(overdue, "@user", userId);
        AddFilterParameters(overdue, status, now);
        var late = (long)(await overdue.ExecuteScalarAsync())!;
        return status == "expired" ? counts.GetValueOrDefault("expired") + late : counts.GetValueOrDefault(status) - late;
    }

    /// <summary>The caller's session; for a change (<paramref name="lockRow"/>), inside the write transaction, with the row's lock where the database takes one.</summary>
    private async Task<SessionRow?> ReadSessionAsync(DbConnection db, DbTransaction? tx, string id, string userId, bool lockRow)
    {
        using var read = db.CreateCommand();
        read.Transaction = tx;
        read.CommandText = lockRow ? _readForChangeSql : ReadSql;
        Add(read, "@id", database.Id(id));
        Add(read, "@user", userId);
        await using var reader = await read.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            return null;
        }

        return new SessionRow(
            database.ReadId(reader, 0), reader.GetString(1), Text(reader, 2), reader.GetString(3), Text(reader, 4), Text(reader, 5), Text(reader, 6),
            Text(reader, 7), Text(reader, 8), Text(reader, 9), Text(reader, 10), database.ReadTime(reader, 11), database.ReadTime(reader, 12),
            database.ReadTime(reader, 13), reader.GetInt64(14), reader.GetInt64(15));
    }

    private async Task<string> InsertEventAsync(
        DbConnection db, DbTransaction tx, SessionRow session, string type, string? stage, string? message, string payload, long now)
    {
        var eventId = Guid.CreateVersion7(DateTimeOffset.FromUnixTimeMilliseconds(now)).ToString("D");
        using var insert = db.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = """
            INSERT INTO session_events (id, session_id, sequence, user_id, organization_id, type, stage, message, payload, created_at)
            VALUES (@id, @session, @seq, @user, @org, @type, @stage, @message, @payload, @now)
            """;
        Add(insert, "@id", database.Id(eventId));
        Add(insert, "@session", database.Id(session.Id));
        Add(insert, "@seq", session.LastEventSequence);
        Add(insert, "@user", session.UserId);
        Add(insert, "@org", session.OrganizationId);
        Add(insert, "@type", type);
        Add(insert, "@stage", stage);
        Add(insert, "@message", message);
        Add(insert, "@payload", payload);
        Add(insert, "@now", database.Time(now));
        await insert.ExecuteNonQueryAsync();
        return eventId;
    }

    private static string? WriteRefusal(SessionRow row, long now)
    {
        var terminal = row.Status is "completed" or "failed" or "cancelled" or "expired";
        if (row.Status == "expired" || (!terminal && now >= row.ExpiresAt))
        {
            return "The session has expired.";
        }

        return terminal ? $"The session is {row.Status}: it is read-only." : null;
    }

    private static string? Text(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static DbParameter Add(DbCommand command, string name, object? value) => BenchDatabase.Add(command, name, value);

    // ---- request bodies -------------------------------------------------------------------------------------------

    private sealed class Body : IDisposable
    {
        public JsonDocument? Document { get; init; }

        public string? Error { get; init; }

        public int Status { get; init; } = 400;

        public void Dispose() => Document?.Dispose();
    }

    private static async Task<Body> ReadBodyAsync(HttpContext context, bool allowEmpty)
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            return new Body { Error = "The request body is larger than 1 MiB.", Status = 413 };
        }

        if (!(context.Request.ContentType ?? "").StartsWith("application/json", StringComparison.OrdinalIgnoreCase) && context.Request.ContentLength != 0)
        {
            return new Body { Error = "Send application/json.", Status = 415 };
        }

        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        if (buffer.Length == 0)
        {
            return allowEmpty ? new Body() : new Body { Error = "A request body is required." };
        }

        try
        {
            var document = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), ReaderOptions);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? new Body { Document = document }
                : new Body { Error = "The body must be a JSON object." };
        }
        catch (JsonException ex)
        {
            return new Body { Error = "The body is not valid JSON: " + ex.Message };
        }
    }

    private static bool TryShortString(JsonElement value, int maxLength, out string? text)
    {
        text = null;
        if (value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        text = value.GetString();
        return text!.Length <= maxLength;
    }

    private static bool TryObject(JsonElement value, out string? text)
    {
        text = value.ValueKind == JsonValueKind.Object ? value.GetRawText() : null;
        return value.ValueKind is JsonValueKind.Object or JsonValueKind.Null;
    }

    private static bool ValidProgress(JsonElement state) =>
        state.ValueKind != JsonValueKind.Object || !state.TryGetProperty("progress", out var progress)
        || (progress.ValueKind == JsonValueKind.Number && progress.TryGetDouble(out var p) && double.IsFinite(p) && p is >= 0 and <= 100);

    private static bool HasControl(string? value) => value is not null && value.Any(char.IsControl);

    private static bool IsUuid(string value) => Guid.TryParseExact(value, "D", out _);

    private static bool TryInt(IQueryCollection query, string name, int fallback, int min, int max, out int value)
    {
        value = fallback;
        if (!query.TryGetValue(name, out var text))
        {
            return true;
        }

        return int.TryParse(text.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
    }

    // ---- responses --------------------------------------------------------------------------------------------------

    private static IBufferWriter<byte> Begin(HttpContext context, int status, out Utf8JsonWriter json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        var writer = context.Response.BodyWriter;
        json = new Utf8JsonWriter(writer, WriterOptions);
        return writer;
    }

    private static async Task EndAsync(Utf8JsonWriter json, IBufferWriter<byte> writer)
    {
        await json.FlushAsync();
        await json.DisposeAsync();
        await ((System.IO.Pipelines.PipeWriter)writer).FlushAsync();
    }

    private static async Task ProblemAsync(HttpContext context, int status, string detail)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        var json = new Utf8JsonWriter(context.Response.BodyWriter, WriterOptions);
        json.WriteStartObject();
        json.WriteString("type", "about:blank");
        json.WriteNumber("status", status);
        json.WriteString("detail", detail);
        json.WriteString("instance", context.Request.Path);
        json.WriteString("traceId", context.TraceIdentifier);
        json.WriteEndObject();
        await json.FlushAsync();
        await json.DisposeAsync();
    }

    private void WriteSession(Utf8JsonWriter json, DbDataReader row, long now)
    {
        var status = row.GetString(3);
        json.WriteStartObject();
        json.WriteString("id", database.ReadId(row, 0));
        json.WriteString("userId", row.GetString(1));
        WriteNullable(json, "organizationId", Text(row, 2));
        json.WriteString("status", SeenStatus(status, database.ReadTime(row, 13), now));
        WriteNullable(json, "catalogVersion", Text(row, 4));
        WriteNullable(json, "schemaVersion", Text(row, 5));
        WriteRaw(json, "prd", Text(row, 6));
        WriteRaw(json, "plan", Text(row, 7));
        WriteRaw(json, "productObject", Text(row, 8));
        WriteNullable(json, "productObjectHash", Text(row, 9));
        WriteRaw(json, "assemblyState", Text(row, 10));
        json.WriteString("createdAt", Timestamp(database.ReadTime(row, 11)));
        json.WriteString("updatedAt", Timestamp(database.ReadTime(row, 12)));
        json.WriteString("expiresAt", Timestamp(database.ReadTime(row, 13)));
        json.WriteEndObject();
    }

    /// <summary>A session; with <paramref name="keepOpen"/>, its object is left open for the events that follow.</summary>
    private static void WriteSession(Utf8JsonWriter json, SessionRow row, long now, bool keepOpen = false)
    {
        json.WriteStartObject();
        json.WriteString("id", row.Id);
        json.WriteString("userId", row.UserId);
        WriteNullable(json, "organizationId", row.OrganizationId);
        json.WriteString("status", SeenStatus(row.Status, row.ExpiresAt, now));
        WriteNullable(json, "catalogVersion", row.CatalogVersion);
        WriteNullable(json, "schemaVersion", row.SchemaVersion);
        WriteRaw(json, "prd", row.Prd);
        WriteRaw(json, "plan", row.Plan);
        WriteRaw(json, "productObject", row.ProductObject);
        WriteNullable(json, "productObjectHash", row.ProductObjectHash);
        WriteRaw(json, "assemblyState", row.AssemblyState);
        json.WriteString("createdAt", Timestamp(row.CreatedAt));
        json.WriteString("updatedAt", Timestamp(row.UpdatedAt));
        json.WriteString("expiresAt", Timestamp(row.ExpiresAt));
        if (!keepOpen)
        {
            json.WriteEndObject();
        }
    }

    private void WriteEvent(Utf8JsonWriter json, DbDataReader row)
    {
        json.WriteStartObject();
        json.WriteString("id", database.ReadId(row, 0));
        json.WriteString("sessionId", database.ReadId(row, 1));
        json.WriteString("userId", row.GetString(2));
        WriteNullable(json, "organizationId", Text(row, 3));
        json.WriteString("type", row.GetString(4));
        WriteNullable(json, "stage", Text(row, 5));
        WriteNullable(json, "message", Text(row, 6));
        json.WritePropertyName("payload");
        json.WriteRawValue(row.GetString(7), skipInputValidation: true);
        json.WriteString("createdAt", Timestamp(database.ReadTime(row, 8)));
        json.WriteEndObject();
    }

    private static string SeenStatus(string status, long expiresAt, long now) =>
        Array.IndexOf(Active, status) >= 0 && now >= expiresAt ? "expired" : status;

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteRaw(Utf8JsonWriter json, string name, string? value)
    {
        json.WritePropertyName(name);
        if (value is null)
        {
            json.WriteNullValue();
        }
        else
        {
            json.WriteRawValue(value, skipInputValidation: true);
        }
    }

    private static string Timestamp(long unixMs) =>
        DateTime.UnixEpoch.AddMilliseconds(unixMs).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string ETag(long version) => "\"" + version.ToString(CultureInfo.InvariantCulture) + "\"";
}
