using System.Diagnostics;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Persistence;

/// <summary>
/// A unit of work that fails is rerun whole, so the saves inside it take no savepoint: EF Core would wrap each
/// <c>SaveChanges</c> in a transaction in <c>SAVEPOINT</c> / <c>RELEASE SAVEPOINT</c> (two more statements per write,
/// and on PostgreSQL a subtransaction). Seen through EF Core's diagnostic events, which also show the transactions
/// the writes commit (so the listener is known to hear them).
/// </summary>
public abstract class SavepointTests(ApiFixture api)
{
    [Fact]
    public async Task Writes_commit_their_transactions_without_savepoints()
    {
        var user = await api.CreateUserAsync();
        using var events = new EntityFrameworkEvents();

        var id = (await user.Client.CreateSessionAsync()).Id();
        await user.Client.UpdateSessionAsync(id, """{"status":"planning","plan":{"steps":1}}""");
        using (var appended = await user.Client.PostJsonAsync($"{Wire.Sessions}/{id}/events", """{"type":"progress"}"""))
        {
            Assert.True(appended.IsSuccessStatusCode);
        }

        Assert.True(events.Count("TransactionCommitted") >= 3, "the listener heard no committed transactions");
        Assert.Equal(0, events.Count("Savepoint"));
    }

    /// <summary>The names of EF Core's diagnostic events in this process while it is alive.</summary>
    private sealed class EntityFrameworkEvents : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
    {
        private readonly List<IDisposable> _subscriptions = [];
        private readonly List<string> _names = [];

        public EntityFrameworkEvents() => _subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));

        public int Count(string part)
        {
            lock (_names)
            {
                return _names.Count(n => n.Contains(part, StringComparison.Ordinal));
            }
        }

        public void OnNext(DiagnosticListener value)
        {
            if (value.Name == "Microsoft.EntityFrameworkCore")
            {
                lock (_subscriptions)
                {
                    _subscriptions.Add(value.Subscribe(this));
                }
            }
        }

        public void OnNext(KeyValuePair<string, object?> value)
        {
            lock (_names)
            {
                _names.Add(value.Key);
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void Dispose()
        {
            lock (_subscriptions)
            {
                _subscriptions.ForEach(s => s.Dispose());
            }
        }
    }
}
