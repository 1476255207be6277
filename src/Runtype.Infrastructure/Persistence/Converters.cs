using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Runtype.Infrastructure.Persistence;

/// <summary>UTC <see cref="DateTime"/> as milliseconds since the Unix epoch.</summary>
public sealed class UnixMillisecondsConverter() : ValueConverter<DateTime, long>(
    value => ToMilliseconds(value),
    stored => ToDateTime(stored))
{
    /// <summary>The stored value of a timestamp: also used by the reads written by hand.</summary>
    public static long ToMilliseconds(DateTime value) => (value.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond;

    /// <summary>The stored value as a timestamp: also used by the reads written by hand.</summary>
    public static DateTime ToDateTime(long stored) => new(DateTime.UnixEpoch.Ticks + (stored * TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
}

/// <summary>Marks timestamps read from the database as UTC (they are always written in UTC).</summary>
public sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    value => value,
    stored => DateTime.SpecifyKind(stored, DateTimeKind.Utc));
