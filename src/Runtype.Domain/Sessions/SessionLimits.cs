namespace Runtype.Domain.Sessions;

/// <summary>Length limits shared by the domain, the validators and the database columns.</summary>
public static class SessionLimits
{
    public const int VersionLength = 64;
    public const int OwnerIdLength = 255;
    public const int EventTypeLength = 100;
    public const int EventStageLength = 100;
    public const int EventMessageLength = 4000;
    public const int StatusLength = 16;
    public const int HashLength = 64;
    public const double MinProgress = 0;
    public const double MaxProgress = 100;

    /// <summary>The event type the server writes on every status change; clients cannot append it.</summary>
    public const string StatusChangedEventType = "status_changed";
}
