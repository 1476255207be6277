using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Runtype.Api.Tests.Infrastructure;
using Runtype.Domain.ApiKeys;
using Runtype.Domain.Sessions;
using Runtype.Infrastructure.Persistence;
using Runtype.Infrastructure.Sessions;

namespace Runtype.Api.Tests.Persistence;

/// <summary>
/// The reads written by hand for SQLite read exactly what EF Core's queries read, on one database with every status,
/// sessions past their expiry, null and present fields, ties on the creation time, events, other owners and keys in
/// every state; a session read by hand for a change is tracked as EF Core would track it, and a unit of sessions and
/// events saved by hand writes the rows EF Core writes, refuses a stale version and leaves anything else to EF Core.
/// </summary>
public sealed class SqliteRowsTests(SqliteApiFixture api) : IClassFixture<SqliteApiFixture>
{
    private static readonly DateTimeOffset Start = new(2026, 1, 10, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTime Now = Start.AddDays(40).UtcDateTime;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Both_read_the_same_sessions_events_counts_and_pages()
    {
        var (owner, ids) = await SeedAsync();
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RuntypeDbContext>();
        Assert.IsType<SqliteSessionRows>(scope.ServiceProvider.GetRequiredService<ISessionRows>());
        ISessionRows ef = new EfSessionRows(db), hand = new SqliteSessionRows(db);

        foreach (var id in ids)
        {
            await SameAsync(ef.SessionAsync(id, owner, Token), hand.SessionAsync(id, owner, Token), $"session {id}");
            await SameAsync(ef.SessionAsync(id, "someone_else", Token), hand.SessionAsync(id, "someone_else", Token), $"session {id} of another owner");
            Same(await ef.EventsOf(id).ToListAsync(Token), await hand.EventsOf(id).ToListAsync(Token), $"events of {id}");
        }

        Assert.Null(await hand.SessionAsync(Guid.CreateVersion7(), owner, Token));
        Assert.NotEmpty(await hand.EventsOf(ids[0]).ToListAsync(Token));

        foreach (var user in new[] { owner, "parity_other", "nobody" })
        {
            Same(await ef.CountsAsync(user, Token), await hand.CountsAsync(user, Token), $"counts of {user}");
            Assert.Equal(await ef.OverdueAsync(user, null, Now, Token), await hand.OverdueAsync(user, null, Now, Token));
            foreach (var active in SessionLifecycle.Active)
            {
                Assert.Equal(await ef.OverdueAsync(user, active, Now, Token), await hand.OverdueAsync(user, active, Now, Token));
            }

            foreach (var status in Enum.GetValues<SessionStatus>().Select(s => (SessionStatus?)s).Append(null))
            {
                foreach (var (offset, limit) in new[] { (0, 100), (0, 3), (2, 3), (5, 1), (40, 10) })
                {
                    Same(
                        await ef.PageAsync(user, status, Now, offset, limit, Token),
                        await hand.PageAsync(user, status, Now, offset, limit, Token),
                        $"{user}, status {status?.ToString() ?? "any"}, offset {offset}, limit {limit}");
                }
            }
        }

        Assert.Equal(2, await hand.OverdueAsync(owner, null, Now, Token));
        Assert.Equal(3, (await hand.PageAsync(owner, SessionStatus.Expired, Now, 0, 100, Token)).Count);
    }

    [Fact]
    public async Task They_read_every_column_the_model_maps()
    {
        await using var scope = api.Services.CreateAsyncScope();
        var model = scope.ServiceProvider.GetRequiredService<RuntypeDbContext>().Model;

        Assert.Equal(ColumnsOf<Session>(model), Names(SqliteRows.SessionColumns));
        Assert.Equal(ColumnsOf<SessionEvent>(model), Names(SqliteRows.EventColumns));
        Assert.Equal(ColumnsOf<ApiKey>(model), Names(SqliteRows.ApiKeyColumns));

        static string[] ColumnsOf<T>(Microsoft.EntityFrameworkCore.Metadata.IModel model) =>
            [.. model.FindEntityType(typeof(T))!.GetProperties().Select(p => p.GetColumnName()).Order(StringComparer.Ordinal)];

        static string[] Names(string columns) => [.. columns.Split(',').Select(c => c.Trim().Trim('"')).Order(StringComparer.Ordinal)];
    }

    [Fact]
    public async Task A_key_reads_as_EF_Core_reads_it_in_every_state()
    {
        var used = await api.CreateUserAsync();
        using (var call = await used.Client.GetAsync(Wire.Sessions, Token))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, call.StatusCode); // records its last use
        }

        var fresh = await api.CreateKeyAsync("rows_fresh", organizationId: null, ["sessions:read"]);
        var revoked = await api.CreateKeyAsync("rows_revoked", "org_rows", ["sessions:read", "sessions:write"]);
        await api.RevokeKeyAsync(revoked.Key.Id);

        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RuntypeDbContext>();
        foreach (var id in new[] { used.KeyId, fresh.Key.Id, revoked.Key.Id, "rt_missing_key_1" })
        {
            Same(await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == id, Token), await db.FindApiKeyAsync(id, Token), $"key {id}");
        }

        Assert.NotNull((await db.FindApiKeyAsync(used.KeyId, Token))?.LastUsedAt);
        Assert.NotNull((await db.FindApiKeyAsync(revoked.Key.Id, Token))?.RevokedAt);
    }

    [Fact]
    public async Task A_session_read_for_a_change_is_tracked_saved_once_and_checked_for_concurrent_changes()
    {
        var (owner, ids) = await SeedAsync();
        await using (var scope = api.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RuntypeDbContext>();
            var session = await db.FindSessionForUpdateAsync(ids[1], owner, Token);
            Assert.NotNull(session);
            Assert.Null(await db.FindSessionForUpdateAsync(ids[1], "someone_else", Token));
            Assert.Same(session, await db.FindSessionForUpdateAsync(ids[1], owner, Token));
            Assert.Equal(EntityState.Unchanged, db.Entry(session).State);

            session.AppendEvent("note", null, "tracked", null, Start.AddDays(5));
            db.SessionEvents.AddRange(session.NewEvents);
            Assert.Equal(EntityState.Modified, db.Entry(session).State);
            Assert.Equal(2, await db.SaveChangesAsync(Token));
        }

        await using (var first = api.Services.CreateAsyncScope())
        await using (var second = api.Services.CreateAsyncScope())
        {
            var one = first.ServiceProvider.GetRequiredService<RuntypeDbContext>();
            var two = second.ServiceProvider.GetRequiredService<RuntypeDbContext>();
            var mine = (await one.FindSessionForUpdateAsync(ids[1], owner, Token))!;
            var theirs = (await two.FindSessionForUpdateAsync(ids[1], owner, Token))!;
            Assert.Equal(2, mine.Version);
            Assert.Equal(1, mine.LastEventSequence);

            theirs.Update(new SessionUpdate(Prd: """{"goal":"theirs"}"""), Start.AddDays(6));
            await two.SaveChangesAsync(Token);
            mine.Update(new SessionUpdate(Prd: """{"goal":"mine"}"""), Start.AddDays(6));
            await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => one.SaveChangesAsync(Token));
        }

        await using var check = api.Services.CreateAsyncScope();
        var stored = await check.ServiceProvider.GetRequiredService<RuntypeDbContext>().Sessions.AsNoTracking().SingleAsync(s => s.Id == ids[1], Token);
        Assert.Equal(("""{"goal":"theirs"}""", 3L), (stored.Prd, stored.Version));
    }

    [Fact]
    public async Task Inside_a_transaction_they_read_its_uncommitted_rows_and_outside_a_call_they_open_and_close_the_connection()
    {
        var (owner, ids) = await SeedAsync();
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RuntypeDbContext>();
        var hand = new SqliteSessionRows(db);

        Assert.Equal(System.Data.ConnectionState.Closed, db.Database.GetDbConnection().State);
        Assert.NotNull(await hand.SessionAsync(ids[0], owner, Token));
        Assert.Equal(System.Data.ConnectionState.Closed, db.Database.GetDbConnection().State);

        await using (var transaction = await db.Database.BeginTransactionAsync(Token))
        {
            var added = Session.Start(owner, null, null, null, null, Start.AddDays(2), TimeSpan.FromDays(90));
            db.Sessions.Add(added);
            await db.SaveChangesAsync(Token);

            Assert.Equal(added.Id, (await hand.SessionAsync(added.Id, owner, Token))?.Id);
            Assert.Equal(ids.Count + 1, (await hand.CountsAsync(owner, Token)).Values.Sum());
            await transaction.RollbackAsync(Token);
        }

        Assert.Equal(ids.Count, (await hand.CountsAsync(owner, Token)).Values.Sum());
    }

    [Fact]
    public async Task A_unit_of_sessions_and_events_is_written_by_hand_with_the_rows_EF_Core_writes()
    {
        var owner = "writes_" + Guid.NewGuid().ToString("N");
        var at = Start.AddDays(1);
        var twins = new List<Guid>();
        for (var i = 0; i < 2; i++)
        {
            await using var scope = api.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<RuntypeDbContext>();
            var byHand = i == 0;
            var saves = Count(db);

            var session = Session.Start(owner, "org_writes", "2024-06", "v3", """{"goal":"twin"}""", at, TimeSpan.FromDays(90));
            db.Sessions.Add(session);
            await SaveAsync(db, byHand);
            twins.Add(session.Id);

            db.ChangeTracker.Clear();
            var loaded = (await db.FindSessionForUpdateAsync(session.Id, owner, Token))!;
            loaded.Update(new SessionUpdate(Status: SessionStatus.Generating, Plan: """{"steps":[1]}""", ProductObject: """{"b":2,"a":1}"""), at.AddMinutes(1));
            loaded.AppendEvent("note", "generating", "first", """{"n":1}""", at.AddMinutes(2));
            loaded.AppendEvent("note", null, null, null, at.AddMinutes(3));
            await SaveAsync(db, byHand);

            loaded.Update(new SessionUpdate(AssemblyState: """{"step":"x"}""", Prd: null), at.AddMinutes(4));
            await SaveAsync(db, byHand); // a second save of the same unit: the accepted version is the new condition, no event twice

            Assert.Equal(byHand ? 0 : 3, saves.Count);
            Assert.Equal(EntityState.Unchanged, db.Entry(loaded).State);
        }

        await using var check = api.Services.CreateAsyncScope();
        var reader = check.ServiceProvider.GetRequiredService<RuntypeDbContext>();
        var (hand, ef) = (await RowAsync(reader, "sessions", "id", twins[0]), await RowAsync(reader, "sessions", "id", twins[1]));
        Assert.Equal(ef.Replace(twins[1].ToString("D"), "<id>"), hand.Replace(twins[0].ToString("D"), "<id>"));
        Assert.Contains("|generating|", hand);
        var (handEvents, efEvents) = (await EventsAsync(reader, twins[0]), await EventsAsync(reader, twins[1]));
        Assert.Equal(3, handEvents.Count); // status_changed and the two notes
        Assert.Equal(efEvents.Select(e => e.Replace(twins[1].ToString("D"), "<id>")), handEvents.Select(e => e.Replace(twins[0].ToString("D"), "<id>")));
        Assert.Equal(2, (await reader.SessionCounts.AsNoTracking().SingleAsync(c => c.UserId == owner && c.Status == SessionStatus.Generating, Token)).Total);
    }

    [Fact]
    public async Task A_stale_session_is_refused_and_a_removed_one_takes_its_events_with_it()
    {
        var (owner, ids) = await SeedAsync();
        await using (var first = api.Services.CreateAsyncScope())
        await using (var second = api.Services.CreateAsyncScope())
        {
            var one = first.ServiceProvider.GetRequiredService<RuntypeDbContext>();
            var two = second.ServiceProvider.GetRequiredService<RuntypeDbContext>();
            var mine = (await one.FindSessionForUpdateAsync(ids[0], owner, Token))!;
            var theirs = (await two.FindSessionForUpdateAsync(ids[0], owner, Token))!;
            theirs.AppendEvent("note", null, "theirs", null, Start.AddDays(5));
            await two.SaveSessionsAsync(Token);

            mine.AppendEvent("note", null, "mine", null, Start.AddDays(5));
            await using var transaction = await one.Database.BeginTransactionAsync(Token);
            await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => one.SaveSessionsAsync(Token));
            await transaction.RollbackAsync(Token);

            one.ChangeTracker.Clear();
            var stale = (await one.FindSessionForUpdateAsync(ids[0], owner, Token))!;
            await two.Database.ExecuteSqlRawAsync("UPDATE sessions SET version = version + 1 WHERE id = {0}", [ids[0].ToString("D")], Token);
            one.Sessions.Remove(stale);
            await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => one.SaveSessionsAsync(Token));
        }

        var withEvents = ids[3];
        await using (var scope = api.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RuntypeDbContext>();
            Assert.NotEmpty(await EventsAsync(db, withEvents));
            db.Sessions.Remove((await db.FindSessionForUpdateAsync(withEvents, owner, Token))!);
            await db.SaveSessionsAsync(Token);
            Assert.Empty(db.ChangeTracker.Entries());
        }

        await using var check = api.Services.CreateAsyncScope();
        var reader = check.ServiceProvider.GetRequiredService<RuntypeDbContext>();
        Assert.Equal(["theirs"], (await reader.SessionEvents.AsNoTracking().Where(e => e.SessionId == ids[0] && e.Type == "note").ToListAsync(Token)).Select(e => e.Message));
        Assert.Null(await reader.Sessions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == withEvents, Token));
        Assert.Empty(await EventsAsync(reader, withEvents));
    }

    [Fact]
    public async Task A_unit_with_anything_else_to_save_is_saved_by_EF_Core_as_a_whole()
    {
        var (owner, ids) = await SeedAsync();
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RuntypeDbContext>();
        var saves = Count(db);
        var session = (await db.FindSessionForUpdateAsync(ids[2], owner, Token))!;
        session.AppendEvent("note", null, "with a record", null, Start.AddDays(5));
        db.IdempotencyRecords.Add(new Runtype.Application.Common.Idempotency.IdempotencyRecord(owner, "key-" + Guid.NewGuid().ToString("N"), "f", "{}", Start.AddDays(5).UtcDateTime));

        await db.SaveSessionsAsync(Token);

        Assert.Single(saves);
        Assert.Single(await EventsAsync(db, ids[2]), e => e.Contains("with a record", StringComparison.Ordinal));
        Assert.Single(await db.IdempotencyRecords.AsNoTracking().Where(r => r.UserId == owner).ToListAsync(Token));
    }

    private static List<DateTime> Count(RuntypeDbContext db)
    {
        var saves = new List<DateTime>();
        db.SavingChanges += (_, _) => saves.Add(DateTime.UtcNow);
        return saves;
    }

    /// <summary>By hand (the SQLite context's own save) or as EF Core saves (the base class's save, which this calls).</summary>
    private static async Task SaveAsync(RuntypeDbContext db, bool byHand)
    {
        if (byHand)
        {
            await db.SaveSessionsAsync(Token);
            return;
        }

        foreach (var entry in db.ChangeTracker.Entries<Session>().ToList())
        {
            foreach (var appended in entry.Entity.NewEvents.Where(e => db.Entry(e).State == EntityState.Detached))
            {
                db.SessionEvents.Add(appended);
            }
        }

        await db.SaveChangesAsync(Token);
    }

    private static async Task<string> RowAsync(RuntypeDbContext db, string table, string key, Guid id) =>
        (await RowsAsync(db, $"SELECT * FROM {table} WHERE {key} = '{id:D}'")).Single();

    private static Task<List<string>> EventsAsync(RuntypeDbContext db, Guid sessionId) =>
        RowsAsync(db, $"SELECT type, stage, message, payload, created_at, sequence, user_id, organization_id, session_id FROM session_events WHERE session_id = '{sessionId:D}' ORDER BY sequence");

    private static async Task<List<string>> RowsAsync(RuntypeDbContext db, string sql)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(Token);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            await using var reader = await command.ExecuteReaderAsync(Token);
            var rows = new List<string>();
            while (await reader.ReadAsync(Token))
            {
                rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
            }

            return rows;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>A new owner with twelve sessions in every status, two of them active past their expiry at <see cref="Now"/>.</summary>
    private async Task<(string Owner, List<Guid> Ids)> SeedAsync()
    {
        var owner = "parity_" + Guid.NewGuid().ToString("N");
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RuntypeDbContext>();
        var sessions = new List<Session>();
        Session Add(string userId, DateTimeOffset at, TimeSpan timeToLive, string? organization = "org_parity", string? prd = """{"goal":"a shop"}""")
        {
            var session = Session.Start(userId, organization, organization is null ? null : "2024-06", organization is null ? null : "v3", prd, at, timeToLive);
            sessions.Add(session);
            return session;
        }

        var live = TimeSpan.FromDays(90);
        Add(owner, Start, live).Update(new SessionUpdate(Status: SessionStatus.Planning, Plan: """{"steps":[1,2]}"""), Start.AddMinutes(1));
        Add(owner, Start, live, organization: null, prd: null);
        Add(owner, Start, live).Update(new SessionUpdate(Status: SessionStatus.Generating, AssemblyState: """{"step":"a"}"""), Start.AddMinutes(2));
        var assembling = Add(owner, Start.AddHours(1), live);
        assembling.Update(new SessionUpdate(Status: SessionStatus.Generating), Start.AddHours(1).AddMinutes(1));
        assembling.Update(new SessionUpdate(Status: SessionStatus.Assembling, ProductObject: """{"b":1,"a":[true,null]}"""), Start.AddHours(1).AddMinutes(2));
        assembling.AppendEvent("note", "assembling", "half way", """{"progress":50}""", Start.AddHours(1).AddMinutes(3));
        assembling.AppendEvent("note", null, null, null, Start.AddHours(1).AddMinutes(4));
        assembling.Update(new SessionUpdate(Status: SessionStatus.Completed), Start.AddHours(1).AddMinutes(5));
        Add(owner, Start.AddHours(2), live).Update(new SessionUpdate(Status: SessionStatus.Failed), Start.AddHours(2).AddMinutes(1));
        Add(owner, Start.AddHours(3), live).Update(new SessionUpdate(Status: SessionStatus.Cancelled), Start.AddHours(3).AddMinutes(1));
        var expired = Add(owner, Start.AddHours(4), TimeSpan.FromDays(1));
        Assert.True(expired.Expire(Start.AddDays(2)));
        Add(owner, Start.AddHours(5), TimeSpan.FromDays(1)); // intake, past its expiry at Now
        Add(owner, Start.AddHours(6), TimeSpan.FromDays(1)).Update(new SessionUpdate(Status: SessionStatus.Generating), Start.AddHours(6).AddMinutes(1));
        for (var i = 0; i < 3; i++)
        {
            Add(owner, Start.AddDays(3), live); // same creation time: ordered by id
        }

        Add("parity_other", Start.AddDays(3), live);
        db.Sessions.AddRange(sessions);
        db.SessionEvents.AddRange(sessions.SelectMany(s => s.NewEvents));
        await db.SaveChangesAsync(Token);
        return (owner, sessions.Where(s => s.UserId == owner).Select(s => s.Id).ToList());
    }

    private static async Task SameAsync<T>(Task<T> expected, Task<T> actual, string what) => Same(await expected, await actual, what);

    private static void Same<T>(T expected, T actual, string what) =>
        Assert.True(
            JsonSerializer.Serialize(expected) == JsonSerializer.Serialize(actual),
            $"{what}:\nEF:   {JsonSerializer.Serialize(expected)}\nhand: {JsonSerializer.Serialize(actual)}");
}
