namespace Runtype.Application.Sessions;

/// <summary>Configuration of sessions (<c>Sessions:*</c>).</summary>
public sealed record SessionSettings(TimeSpan TimeToLive)
{
    public static readonly TimeSpan DefaultTimeToLive = TimeSpan.FromDays(30);
}
