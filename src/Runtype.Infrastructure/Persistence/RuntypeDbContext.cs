using Microsoft.EntityFrameworkCore;
using Runtype.Application.Common.Idempotency;
using Runtype.Domain.ApiKeys;
using Runtype.Domain.Sessions;
using Runtype.Domain.Webhooks;
using Runtype.Infrastructure.Persistence.Configurations;
using Runtype.Infrastructure.Sessions;

namespace Runtype.Infrastructure.Persistence;

/// <summary>
/// The one EF Core model: the entities, their configurations and the conventions every provider shares. Each provider
/// has a subclass in its own folder (<c>Sqlite/</c>, <c>SqlServer/</c>, <c>PostgreSql/</c>) that adds its column-type
/// conventions and owns its migrations. Data access lives in the stores, not here.
/// </summary>
public abstract class RuntypeDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<Session> Sessions => Set<Session>();

    public DbSet<SessionEvent> SessionEvents => Set<SessionEvent>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();

    internal DbSet<SessionCount> SessionCounts => Set<SessionCount>();

    internal DbSet<SessionDeletion> SessionDeletions => Set<SessionDeletion>();

    public DbSet<WebhookEndpoint> WebhookEndpoints => Set<WebhookEndpoint>();

    public DbSet<WebhookMessage> WebhookMessages => Set<WebhookMessage>();

    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfiguration(new SessionConfiguration());
        modelBuilder.ApplyConfiguration(new SessionEventConfiguration());
        modelBuilder.ApplyConfiguration(new ApiKeyConfiguration());
        modelBuilder.ApplyConfiguration(new IdempotencyRecordConfiguration());
        modelBuilder.ApplyConfiguration(new SessionCountConfiguration());
        modelBuilder.ApplyConfiguration(new SessionDeletionConfiguration());
        modelBuilder.ApplyConfiguration(new WebhookEndpointConfiguration());
        modelBuilder.ApplyConfiguration(new WebhookMessageConfiguration());
        modelBuilder.ApplyConfiguration(new WebhookDeliveryConfiguration());
        SnakeCaseNames.Apply(modelBuilder);
    }

    /// <summary>
    /// Ids as lowercase UUID text, so that "id desc" orders the same everywhere (and, for UUIDv7, in creation order) and
    /// matches the id a client sees: for the providers without a UUID type of their own.
    /// </summary>
    protected static void StoreIdsAsText(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.Properties<Guid>().HaveConversion<string>().HaveMaxLength(36).AreUnicode(false).AreFixedLength();
}
