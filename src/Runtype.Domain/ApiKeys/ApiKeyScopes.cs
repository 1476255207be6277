namespace Runtype.Domain.ApiKeys;

/// <summary>What a credential may do. JWT session tokens carry both.</summary>
public static class ApiKeyScopes
{
    public const string SessionsRead = "sessions:read";
    public const string SessionsWrite = "sessions:write";

    public static readonly string[] All = [SessionsRead, SessionsWrite];

    public static bool IsKnown(string scope) => Array.IndexOf(All, scope) >= 0;
}
