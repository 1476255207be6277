using System.Security.Claims;
using Runtype.Application.Common;

namespace Runtype.Api.Auth;

/// <summary>The claims an authenticated request carries, and the policies built on them.</summary>
public static class CallerClaims
{
    public const string UserId = "sub";
    public const string OrganizationId = "org_id";
    public const string Scope = "scope";
    public const string KeyId = "key_id";

    public const string ReadPolicy = "sessions:read";
    public const string WritePolicy = "sessions:write";

    public const string WebhooksReadPolicy = "webhooks:read";
    public const string WebhooksWritePolicy = "webhooks:write";

    public static Caller ToCaller(this ClaimsPrincipal user) =>
        new(user.FindFirstValue(UserId) ?? throw new InvalidOperationException("The request is not authenticated."), user.FindFirstValue(OrganizationId));
}
