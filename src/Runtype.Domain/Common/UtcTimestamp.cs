namespace Runtype.Domain.Common;

/// <summary>
/// Timestamps are kept in UTC at millisecond precision: that is what the API prints, so what is stored,
/// ordered by and compared is exactly what a client sees.
/// </summary>
public static class UtcTimestamp
{
    public static DateTime From(DateTimeOffset value)
    {
        var utc = value.UtcDateTime;
        return new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
    }
}
