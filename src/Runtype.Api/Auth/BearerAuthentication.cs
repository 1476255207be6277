using System.Security.Claims;
using System.Text.Encodings.Web;
using Mediator;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Runtype.Api.Errors;
using Runtype.Application.ApiKeys.AuthenticateApiKey;
using Runtype.Domain.ApiKeys;

namespace Runtype.Api.Auth;

/// <summary>
/// <c>Authorization: Bearer &lt;token&gt;</c>, or the bare token as in the published curl examples. A token is an
/// API key (<c>rt_…</c>) or, when configured, a Clerk-compatible session token (a JWT carrying both scopes);
/// anything missing, malformed, unknown, revoked or expired is a 401 with <c>WWW-Authenticate: Bearer</c>.
/// </summary>
public sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    HandlerLoggers logger,
    UrlEncoder encoder,
    ISender sender,
    SessionTokenValidator sessionTokens,
    IProblemDetailsService problemDetails)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var headers = Request.Headers.Authorization;
        if (headers.Count == 0)
        {
            return AuthenticateResult.NoResult();
        }

        if (headers.Count > 1)
        {
            return AuthenticateResult.Fail("Send one Authorization header.");
        }

        var token = ReadToken(headers.ToString());
        if (token is null)
        {
            return AuthenticateResult.Fail("The Authorization header must be 'Bearer <token>' or the API key alone.");
        }

        if (token.StartsWith(ApiKey.Prefix, StringComparison.Ordinal))
        {
            var key = await sender.Send(new AuthenticateApiKey(token), Context.RequestAborted);
            return key is null
                ? AuthenticateResult.Fail("The API key is unknown or has been revoked.")
                : Success(key.UserId, key.OrganizationId, key.Scopes, (CallerClaims.KeyId, key.KeyId));
        }

        if (sessionTokens.Enabled && token.Count(c => c == '.') == 2)
        {
            var (session, failure) = await sessionTokens.ValidateAsync(token, Context.RequestAborted);
            return session is null
                ? AuthenticateResult.Fail(failure!)
                : Success(session.UserId, session.OrganizationId, ApiKeyScopes.All);
        }

        return AuthenticateResult.Fail("The token is neither an API key nor a valid session token.");
    }

    private static AuthenticateResult Success(string userId, string? organizationId, IEnumerable<string> scopes, params (string Type, string Value)[] extra)
    {
        var claims = new List<Claim> { new(CallerClaims.UserId, userId) };
        if (!string.IsNullOrEmpty(organizationId))
        {
            // An empty one (a JWT's "org_id": "", a key stored before empty meant none) is no organization.
            claims.Add(new Claim(CallerClaims.OrganizationId, organizationId));
        }

        claims.AddRange(scopes.Select(s => new Claim(CallerClaims.Scope, s)));
        claims.AddRange(extra.Select(c => new Claim(c.Type, c.Value)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, CallerClaims.UserId, null));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var detail = result.Failure?.Message
            ?? "A valid API key or session token is required: send 'Authorization: Bearer <token>'.";
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = result.Failure is null
            ? $"{SchemeName} realm=\"runtype\""
            : $"{SchemeName} realm=\"runtype\", error=\"invalid_token\"";
        await WriteProblemAsync(StatusCodes.Status401Unauthorized, detail, "unauthorized");
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        // RFC 6750 §3.1: the error, and the scope the call needs (the policy of the call is named for its scope).
        var scope = Context.GetEndpoint()?.Metadata.GetMetadata<IAuthorizeData>()?.Policy;
        Response.StatusCode = StatusCodes.Status403Forbidden;
        Response.Headers.WWWAuthenticate = scope is null
            ? $"{SchemeName} realm=\"runtype\", error=\"insufficient_scope\""
            : $"{SchemeName} realm=\"runtype\", error=\"insufficient_scope\", scope=\"{scope}\"";
        await WriteProblemAsync(StatusCodes.Status403Forbidden, "The credential is valid but lacks the scope this call needs.", "insufficient_scope");
    }

    /// <summary>"Bearer x" (any case), or a bare token with no scheme word; null for other schemes or an empty token.</summary>
    internal static string? ReadToken(string header)
    {
        var value = header.Trim();
        var space = value.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0)
        {
            return value.Length == 0 ? null : value;
        }

        if (!value[..space].Equals(SchemeName, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = value[(space + 1)..].Trim();
        return token.Length == 0 || token.Contains(' ', StringComparison.Ordinal) ? null : token;
    }

    private async Task WriteProblemAsync(int status, string detail, string code)
    {
        await problemDetails.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = ApiProblems.Create(status, detail, code),
        });
    }
}
