using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Runtype.Domain.Sessions;
using Runtype.Domain.Webhooks;

namespace Runtype.Infrastructure.Persistence.Configurations;

internal sealed class WebhookEndpointConfiguration : IEntityTypeConfiguration<WebhookEndpoint>
{
    public void Configure(EntityTypeBuilder<WebhookEndpoint> builder)
    {
        builder.ToTable("webhook_endpoints");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).ValueGeneratedNever();
        builder.Property(e => e.UserId).HasMaxLength(SessionLimits.OwnerIdLength).IsRequired();
        builder.Property(e => e.Url).HasMaxLength(WebhookLimits.UrlLength).IsRequired();
        builder.Property(e => e.Description).HasMaxLength(WebhookLimits.DescriptionLength);
        builder.Property(e => e.EventTypes).HasMaxLength(WebhookLimits.EventTypesLength).IsUnicode(false).IsRequired();
        builder.Property(e => e.DisabledReason).HasMaxLength(WebhookLimits.DisabledReasonLength);
        builder.Property(e => e.Secret).HasMaxLength(WebhookLimits.SecretLength).IsUnicode(false).IsRequired();
        builder.Property(e => e.PreviousSecret).HasMaxLength(WebhookLimits.SecretLength).IsUnicode(false);
        builder.Property(e => e.Version).IsConcurrencyToken();
        builder.Ignore(e => e.EventTypeList);

        // GET /webhooks/endpoints: the owner's page, newest first; and the outbox's read of the owner's enabled endpoints.
        builder.HasIndex(e => new { e.UserId, e.CreatedAt, e.Id })
            .IsDescending(false, true, true)
            .HasDatabaseName("ix_webhook_endpoints_user_created");
    }
}
