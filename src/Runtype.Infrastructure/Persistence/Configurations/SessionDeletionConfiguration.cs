using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Runtype.Domain.Sessions;
using Runtype.Infrastructure.Sessions;

namespace Runtype.Infrastructure.Persistence.Configurations;

internal sealed class SessionDeletionConfiguration : IEntityTypeConfiguration<SessionDeletion>
{
    public void Configure(EntityTypeBuilder<SessionDeletion> builder)
    {
        builder.ToTable("session_deletions");
        builder.HasKey(d => d.SessionId);
        builder.Property(d => d.SessionId).ValueGeneratedNever();
        builder.Property(d => d.UserId).HasMaxLength(SessionLimits.OwnerIdLength).IsRequired();

        // The change feed (deletions since a time, every user) and the stream of one user's sessions; the purge.
        builder.HasIndex(d => d.DeletedAt).HasDatabaseName("ix_session_deletions_deleted");
        builder.HasIndex(d => new { d.UserId, d.DeletedAt }).HasDatabaseName("ix_session_deletions_user_deleted");
    }
}
