using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Runtype.Domain.Sessions;
using Runtype.Infrastructure.Sessions;

namespace Runtype.Infrastructure.Persistence.Configurations;

internal sealed class SessionCountConfiguration : IEntityTypeConfiguration<SessionCount>
{
    public void Configure(EntityTypeBuilder<SessionCount> builder)
    {
        builder.ToTable("session_counts");
        builder.HasKey(c => new { c.UserId, c.Status });
        builder.Property(c => c.UserId).HasMaxLength(SessionLimits.OwnerIdLength);
        builder.Property(c => c.Status).HasConversion(SessionConfiguration.StatusConverter).HasMaxLength(SessionLimits.StatusLength).IsUnicode(false);
        builder.Property(c => c.Total);
    }
}
