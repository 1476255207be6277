using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Runtype.Domain.Sessions;
using Runtype.Domain.Webhooks;

namespace Runtype.Infrastructure.Persistence.Configurations;

internal sealed class WebhookMessageConfiguration : IEntityTypeConfiguration<WebhookMessage>
{
    public void Configure(EntityTypeBuilder<WebhookMessage> builder)
    {
        builder.ToTable("webhook_messages");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Id).ValueGeneratedNever();
        builder.Property(m => m.UserId).HasMaxLength(SessionLimits.OwnerIdLength).IsRequired();
        builder.Property(m => m.EventType).HasMaxLength(WebhookLimits.EventTypeLength).IsUnicode(false).IsRequired();
        builder.Property(m => m.Body).IsRequired();
        builder.Ignore(m => m.WireId);

        // The retention purge: old messages no delivery refers to.
        builder.HasIndex(m => m.CreatedAt).HasDatabaseName("ix_webhook_messages_created");
    }
}
