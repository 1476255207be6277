namespace Runtype.Domain.ApiKeys;

/// <summary>What a credential may do. JWT session tokens carry all of them; new keys too, unless told otherwise.</summary>
public static class ApiKeyScopes
{
    public const string SessionsRead = "sessions:read";
    public const string SessionsWrite = "sessions:write";
    public const string WebhooksRead = "webhooks:read";
    public const string WebhooksWrite = "webhooks:write";

    public static readonly string[] All = [SessionsRead, SessionsWrite, WebhooksRead, WebhooksWrite];

    public static bool IsKnown(string scope) => Array.IndexOf(All, scope) >= 0;
}
