using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Runtype.Infrastructure.Persistence;

/// <summary>UTC <see cref="DateTime"/> as milliseconds since the Unix epoch.</summary>
public sealed class UnixMillisecondsConverter() : ValueConverter<DateTime, long>(
    value => (value.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond,
    stored => new DateTime(DateTime.UnixEpoch.Ticks + (stored * TimeSpan.TicksPerMillisecond), DateTimeKind.Utc));

/// <summary>Marks timestamps read from the database as UTC (they are always written in UTC).</summary>
public sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    value => value,
    stored => DateTime.SpecifyKind(stored, DateTimeKind.Utc));
