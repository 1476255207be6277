using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Runtype.Domain.Sessions;

namespace Runtype.Infrastructure.Persistence.Configurations;

internal sealed class SessionConfiguration : IEntityTypeConfiguration<Session>
{
    /// <summary>The trigger (on SQLite, the prefix of the three triggers) that keeps <c>session_counts</c>.</summary>
    public const string CountsTrigger = "tr_sessions_counts";

    public static readonly ValueConverter<SessionStatus, string> StatusConverter = new(
        status => status.ToWire(),
        stored => ParseStatus(stored));

    public void Configure(EntityTypeBuilder<Session> builder)
    {
        // The triggers keep session_counts (see SessionCount); declared so that EF writes this table without the
        // OUTPUT / RETURNING forms that tables with triggers do not allow.
        builder.ToTable("sessions", table => table.HasTrigger(CountsTrigger));
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.Property(s => s.UserId).HasMaxLength(SessionLimits.OwnerIdLength).IsRequired();
        builder.Property(s => s.OrganizationId).HasMaxLength(SessionLimits.OwnerIdLength);
        builder.Property(s => s.Status).HasConversion(StatusConverter).HasMaxLength(SessionLimits.StatusLength).IsUnicode(false).IsRequired();
        builder.Property(s => s.CatalogVersion).HasMaxLength(SessionLimits.VersionLength);
        builder.Property(s => s.SchemaVersion).HasMaxLength(SessionLimits.VersionLength);
        builder.Property(s => s.Prd);
        builder.Property(s => s.Plan);
        builder.Property(s => s.ProductObject);
        builder.Property(s => s.ProductObjectHash).HasMaxLength(SessionLimits.HashLength).IsUnicode(false);
        builder.Property(s => s.AssemblyState);
        builder.Property(s => s.Version).IsConcurrencyToken();
        builder.Property(s => s.LastEventSequence);
        builder.Ignore(s => s.NewEvents);

        // GET /sessions: the owner's page, newest first, with and without a status filter.
        builder.HasIndex(s => new { s.UserId, s.CreatedAt, s.Id })
            .IsDescending(false, true, true)
            .HasDatabaseName("ix_sessions_user_created");
        builder.HasIndex(s => new { s.UserId, s.Status, s.CreatedAt, s.Id })
            .IsDescending(false, false, true, true)
            .HasDatabaseName("ix_sessions_user_status_created");

        // The expiry sweeper: active sessions by expiry time. With the owner as a third column it also serves
        // pagination.total with a status filter: the caller's sessions already past their expiry that the sweeper has
        // not persisted yet (a short range while it keeps up) are counted inside the index. SQLite, without statistics,
        // would take this index for the filtered page too; that query names ix_sessions_user_status_created instead
        // (SqliteRuntypeDbContext.SessionsForStatusPage).
        builder.HasIndex(s => new { s.Status, s.ExpiresAt, s.UserId }).HasDatabaseName("ix_sessions_status_expires");

        // The live streams: the process-wide change feed (sessions changed since a time, every user) and the stream of
        // all of one user's sessions (their sessions changed since a time, in order).
        builder.HasIndex(s => s.UpdatedAt).HasDatabaseName("ix_sessions_updated");
        builder.HasIndex(s => new { s.UserId, s.UpdatedAt, s.Id }).HasDatabaseName("ix_sessions_user_updated");
    }

    internal static SessionStatus ParseStatus(string stored) =>
        SessionLifecycle.TryParse(stored, out var status) ? status : throw new InvalidOperationException($"Unknown session status '{stored}' in the database.");
}

internal sealed class SessionEventConfiguration : IEntityTypeConfiguration<SessionEvent>
{
    public void Configure(EntityTypeBuilder<SessionEvent> builder)
    {
        builder.ToTable("session_events");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).ValueGeneratedNever();
        builder.Property(e => e.UserId).HasMaxLength(SessionLimits.OwnerIdLength).IsRequired();
        builder.Property(e => e.OrganizationId).HasMaxLength(SessionLimits.OwnerIdLength);
        builder.Property(e => e.Type).HasMaxLength(SessionLimits.EventTypeLength).IsRequired();
        builder.Property(e => e.Stage).HasMaxLength(SessionLimits.EventStageLength);
        builder.Property(e => e.Message).HasMaxLength(SessionLimits.EventMessageLength);
        builder.Property(e => e.Payload).IsRequired();

        builder.HasOne<Session>().WithMany().HasForeignKey(e => e.SessionId).OnDelete(DeleteBehavior.Cascade);

        // A session's log in commit order; unique, so two appends can never share a place.
        builder.HasIndex(e => new { e.SessionId, e.Sequence }).IsUnique().HasDatabaseName("ux_session_events_session_sequence");
    }
}
