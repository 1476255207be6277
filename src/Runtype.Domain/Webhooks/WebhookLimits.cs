namespace Runtype.Domain.Webhooks;

/// <summary>Length limits shared by the domain, the validators and the database columns.</summary>
public static class WebhookLimits
{
    public const int UrlLength = 2048;
    public const int DescriptionLength = 500;

    /// <summary>The subscribed types, space-separated: every known type fits.</summary>
    public const int EventTypesLength = 400;

    public const int EventTypeLength = 64;
    public const int DisabledReasonLength = 300;

    /// <summary><c>whsec_</c> and the base64 of 32 bytes (44 characters).</summary>
    public const int SecretLength = 64;

    public const int SecretBytes = 32;
    public const int StatusLength = 16;

    /// <summary>How long a rotated secret keeps signing beside the new one.</summary>
    public static readonly TimeSpan PreviousSecretLifetime = TimeSpan.FromHours(24);
}
