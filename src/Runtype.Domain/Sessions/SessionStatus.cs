namespace Runtype.Domain.Sessions;

/// <summary>Where a generation session is in its life. Written on the wire in lower case.</summary>
public enum SessionStatus
{
    Intake,
    Planning,
    Generating,
    Assembling,
    Completed,
    Failed,
    Cancelled,
    Expired,
}
