using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Runtype.Infrastructure.Persistence.Sqlite;

/// <summary>UTC <see cref="DateTime"/> as milliseconds since the Unix epoch.</summary>
public sealed class UnixMillisecondsConverter() : ValueConverter<DateTime, long>(
    value => (value.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond,
    stored => new DateTime(DateTime.UnixEpoch.Ticks + (stored * TimeSpan.TicksPerMillisecond), DateTimeKind.Utc));
