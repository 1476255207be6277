using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Runtype.Domain.Webhooks;

namespace Runtype.Infrastructure.Persistence.Configurations;

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> builder)
    {
        builder.ToTable("webhook_deliveries");
        builder.HasKey(d => d.Id);
        builder.Property(d => d.Id).ValueGeneratedNever();
        builder.Property(d => d.Status)
            .HasConversion(status => status.ToWire(), stored => ParseStatus(stored))
            .HasMaxLength(WebhookLimits.StatusLength).IsUnicode(false).IsRequired();

        // The lease fences outcomes: an attempt's outcome is written only while the lease it was sent under is the row's.
        builder.Property(d => d.LeaseToken).IsConcurrencyToken();

        builder.HasOne<WebhookEndpoint>().WithMany().HasForeignKey(d => d.EndpointId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<WebhookMessage>().WithMany().HasForeignKey(d => d.MessageId).OnDelete(DeleteBehavior.Restrict);

        // The dispatchers' claim: pending deliveries by due time.
        builder.HasIndex(d => new { d.Status, d.NextAttemptAt }).HasDatabaseName("ix_webhook_deliveries_due");

        // An endpoint's delivery log, newest first, with and without a status filter (the latter also finds the pending
        // deliveries of an endpoint being disabled).
        builder.HasIndex(d => new { d.EndpointId, d.CreatedAt, d.Id })
            .IsDescending(false, true, true)
            .HasDatabaseName("ix_webhook_deliveries_endpoint_created");
        builder.HasIndex(d => new { d.EndpointId, d.Status, d.CreatedAt, d.Id })
            .IsDescending(false, false, true, true)
            .HasDatabaseName("ix_webhook_deliveries_endpoint_status_created");

        // The retention purge (old deliveries) and its check that no delivery still refers to a message.
        builder.HasIndex(d => d.CreatedAt).HasDatabaseName("ix_webhook_deliveries_created");
        builder.HasIndex(d => d.MessageId).HasDatabaseName("ix_webhook_deliveries_message");
    }

    private static WebhookDeliveryStatus ParseStatus(string stored) =>
        WebhookDeliveryStatuses.TryParse(stored, out var status) ? status : throw new InvalidOperationException($"Unknown delivery status '{stored}' in the database.");
}
