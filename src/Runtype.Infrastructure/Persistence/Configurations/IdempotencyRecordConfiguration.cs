using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Runtype.Application.Common.Idempotency;
using Runtype.Domain.Sessions;

namespace Runtype.Infrastructure.Persistence.Configurations;

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> builder)
    {
        builder.ToTable("idempotency_records");
        builder.HasKey(r => new { r.UserId, r.Key });
        builder.Property(r => r.UserId).HasMaxLength(SessionLimits.OwnerIdLength);
        builder.Property(r => r.Key).HasMaxLength(IdempotencyRecord.KeyLength).IsUnicode(false);
        builder.Property(r => r.Fingerprint).HasMaxLength(64).IsUnicode(false).IsFixedLength().IsRequired();
        builder.Property(r => r.Response).IsRequired();

        // The purge deletes by age.
        builder.HasIndex(r => r.CreatedAt).HasDatabaseName("ix_idempotency_records_created");
    }
}
