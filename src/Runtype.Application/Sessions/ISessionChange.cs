namespace Runtype.Application.Sessions;

/// <summary>A command that may change a session (its fields, status or event log): live streams of it are woken once it commits.</summary>
public interface ISessionChange
{
    Guid SessionId { get; }
}
