using Runtype.Domain.Common;

namespace Runtype.Domain.Sessions;

/// <summary>
/// A product generation session: the aggregate that owns the status machine, the productObject hash,
/// expiry and the append-only event log. Free-form objects (prd, plan, productObject, assemblyState) are kept
/// as the JSON text the client sent. Every change bumps <see cref="Version"/>, the optimistic-concurrency token.
/// </summary>
public sealed class Session
{
    private readonly List<SessionEvent> _newEvents = [];

    private Session()
    {
        UserId = null!;
    }

    private Session(string userId, string? organizationId, string? catalogVersion, string? schemaVersion, string? prd, DateTime now, TimeSpan timeToLive)
    {
        Id = Guid.CreateVersion7(now);
        UserId = userId;
        OrganizationId = organizationId;
        Status = SessionLifecycle.InitialStatus;
        CatalogVersion = catalogVersion;
        SchemaVersion = schemaVersion;
        Prd = prd;
        CreatedAt = now;
        UpdatedAt = now;
        ExpiresAt = UtcTimestamp.From(now + timeToLive);
        Version = 1;
    }

    public Guid Id { get; private set; }

    public string UserId { get; private set; }

    public string? OrganizationId { get; private set; }

    /// <summary>The persisted status. Use <see cref="StatusAt"/> for what a client sees.</summary>
    public SessionStatus Status { get; private set; }

    public string? CatalogVersion { get; private set; }

    public string? SchemaVersion { get; private set; }

    public string? Prd { get; private set; }

    public string? Plan { get; private set; }

    public string? ProductObject { get; private set; }

    public string? ProductObjectHash { get; private set; }

    public string? AssemblyState { get; private set; }

    public DateTime CreatedAt { get; private set; }

    public DateTime UpdatedAt { get; private set; }

    public DateTime ExpiresAt { get; private set; }

    /// <summary>Optimistic-concurrency token: incremented by every change, checked by every save.</summary>
    public long Version { get; private set; }

    /// <summary>Sequence number of the last event appended; the next event gets the one after it.</summary>
    public long LastEventSequence { get; private set; }

    /// <summary>Events appended since the session was loaded; the repository inserts them with the session row.</summary>
    public IReadOnlyList<SessionEvent> NewEvents => _newEvents;

    public static Session Start(string userId, string? organizationId, string? catalogVersion, string? schemaVersion, string? prd, DateTimeOffset now, TimeSpan timeToLive)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        if (timeToLive <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeToLive), timeToLive, "The time to live must be positive.");
        }

        return new Session(userId, organizationId, catalogVersion, schemaVersion, prd, UtcTimestamp.From(now), timeToLive);
    }

    /// <summary>An active session whose <see cref="ExpiresAt"/> has passed is expired, whether or not the sweeper has persisted it.</summary>
    public static bool HasExpired(SessionStatus status, DateTime expiresAt, DateTimeOffset now) =>
        !SessionLifecycle.IsTerminal(status) && now.UtcDateTime >= expiresAt;

    /// <summary>The status a client sees at <paramref name="now"/>.</summary>
    public SessionStatus StatusAt(DateTimeOffset now) => HasExpired(Status, ExpiresAt, now) ? SessionStatus.Expired : Status;

    /// <summary>
    /// Applies a PATCH as one change: either every field is applied or, on a broken rule, nothing is.
    /// Data fields are applied before the status, so a session can be given its final product and completed at once.
    /// </summary>
    public void Update(SessionUpdate update, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(update);
        EnsureWritable(now);

        var productObject = update.ProductObject.GetValueOrDefault(ProductObject);
        var productObjectHash = update.ProductObject.HasValue ? CanonicalJson.Hash(productObject) : ProductObjectHash;
        if (update.ProductObjectHash.HasValue && !string.Equals(update.ProductObjectHash.Value, productObjectHash, StringComparison.OrdinalIgnoreCase))
        {
            throw new ProductObjectHashMismatch(update.ProductObjectHash.Value, productObjectHash);
        }

        var status = update.Status.GetValueOrDefault(Status);
        if (status != Status && !SessionLifecycle.CanMove(Status, status))
        {
            throw new InvalidStatusTransition(Status, status);
        }

        var timestamp = UtcTimestamp.From(now);
        var changed = false;
        changed |= Set(update.Prd, Prd, value => Prd = value);
        changed |= Set(update.Plan, Plan, value => Plan = value);
        changed |= Set(update.AssemblyState, AssemblyState, value => AssemblyState = value);
        if (Set(update.ProductObject, ProductObject, value => ProductObject = value))
        {
            ProductObjectHash = productObjectHash;
            changed = true;
        }

        if (status != Status)
        {
            var from = Status;
            Status = status;
            Record(SessionLimits.StatusChangedEventType, status.ToWire(), $"Status changed from {from.ToWire()} to {status.ToWire()}.",
                $$"""{"from":"{{from.ToWire()}}","to":"{{status.ToWire()}}"}""", timestamp);
            changed = true;
        }

        if (changed)
        {
            Touch(timestamp);
        }
    }

    /// <summary>Appends a client's event to the log and bumps <see cref="UpdatedAt"/>.</summary>
    public SessionEvent AppendEvent(string type, string? stage, string? message, string? payload, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        if (string.Equals(type, SessionLimits.StatusChangedEventType, StringComparison.Ordinal))
        {
            throw new ReservedEventType(type);
        }

        EnsureWritable(now);
        var timestamp = UtcTimestamp.From(now);
        var appended = Record(type, stage, message, payload, timestamp);
        Touch(timestamp);
        return appended;
    }

    /// <summary>Persists expiry: used by the sweeper once <see cref="ExpiresAt"/> has passed.</summary>
    public bool Expire(DateTimeOffset now)
    {
        if (!HasExpired(Status, ExpiresAt, now))
        {
            return false;
        }

        var timestamp = UtcTimestamp.From(now);
        var from = Status;
        Status = SessionStatus.Expired;
        Record(SessionLimits.StatusChangedEventType, SessionStatus.Expired.ToWire(), $"Status changed from {from.ToWire()} to expired.",
            $$"""{"from":"{{from.ToWire()}}","to":"expired"}""", timestamp);
        Touch(timestamp);
        return true;
    }

    private void EnsureWritable(DateTimeOffset now)
    {
        // Expired reads the same whether or not the sweeper has persisted it yet.
        if (Status == SessionStatus.Expired || HasExpired(Status, ExpiresAt, now))
        {
            throw new SessionExpired(ExpiresAt);
        }

        if (SessionLifecycle.IsTerminal(Status))
        {
            throw new SessionIsReadOnly(Status);
        }
    }

    private SessionEvent Record(string type, string? stage, string? message, string? payload, DateTime timestamp)
    {
        LastEventSequence++;
        var appended = new SessionEvent(this, LastEventSequence, type, stage, message, payload, timestamp);
        _newEvents.Add(appended);
        return appended;
    }

    private void Touch(DateTime timestamp)
    {
        // A clock that steps backwards must not make updatedAt precede createdAt.
        UpdatedAt = timestamp < CreatedAt ? CreatedAt : timestamp;
        Version++;
    }

    private static bool Set(Optional<string?> value, string? current, Action<string?> assign)
    {
        if (!value.HasValue || string.Equals(value.Value, current, StringComparison.Ordinal))
        {
            return false;
        }

        assign(value.Value);
        return true;
    }
}
