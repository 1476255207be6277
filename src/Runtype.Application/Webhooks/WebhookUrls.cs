using System.Net;
using FluentValidation;
using FluentValidation.Results;
using Runtype.Domain.Webhooks;

namespace Runtype.Application.Webhooks;

/// <summary>
/// What a webhook URL may be: absolute, <c>https</c> (or <c>http</c> with <c>Webhooks:AllowInsecureUrls</c>), at most
/// 2048 characters, without credentials; and, unless <c>Webhooks:AllowPrivateNetworks</c>, a host that is not and does
/// not resolve to a loopback, private, link-local or unspecified address (<see cref="NetworkAddresses"/>). The shape is
/// a validator rule; the host is checked by <see cref="RefusalAsync"/>, the validators' last rule (so the name is
/// resolved before the command's transaction, never inside it), and again by the dispatcher at every connection.
/// </summary>
public sealed class WebhookUrls(WebhookSettings settings, IHostAddresses addresses)
{
    public const string Field = "url";

    /// <summary>The longest a creation waits for the host's name to resolve; a name that does not resolve in time is checked at delivery.</summary>
    public static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The rule of the create and update validators: the URL's shape, then its host.</summary>
    public IRuleBuilderOptionsConditions<T, string?> Rule<T>(IRuleBuilderInitial<T, string?> rule) =>
        rule.Cascade(CascadeMode.Stop)
            .Must(url => !string.IsNullOrEmpty(url)).WithMessage("url is required: the absolute https URL that receives the messages.")
            .MaximumLength(WebhookLimits.UrlLength).WithMessage($"url must be at most {WebhookLimits.UrlLength} characters.")
            .Must(url => ShapeProblem(url!, settings) is null).WithMessage((_, url) => ShapeProblem(url!, settings))
            .OverridePropertyName(Field)
            .CustomAsync(async (url, context, cancellationToken) =>
            {
                if (await RefusalAsync(url!, cancellationToken) is { } refusal)
                {
                    context.AddFailure(new ValidationFailure(Field, refusal));
                }
            });

    /// <summary>Why a well-formed URL is refused: its host is, or resolves to, an address of a private network; null when it is not.</summary>
    public async Task<string?> RefusalAsync(string url, CancellationToken cancellationToken)
    {
        if (settings.AllowPrivateNetworks)
        {
            return null;
        }

        var host = new Uri(url).IdnHost;
        IReadOnlyList<IPAddress> resolved;
        if (IPAddress.TryParse(host, out var literal))
        {
            resolved = [literal];
        }
        else if (IsLocalName(host))
        {
            return $"url must not point at this machine: '{host}' is a loopback name.";
        }
        else
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ResolveTimeout);
            try
            {
                resolved = await addresses.ResolveAsync(host, timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return null; // checked again at every connection
            }
        }

        return RefusalOf(host, resolved) is { } refusal ? $"url must be reachable on the public internet: {refusal}." : null;
    }

    /// <summary>Why a connection to <paramref name="host"/> at <paramref name="resolved"/> is refused, or null when it is not.</summary>
    public static string? RefusalOf(string host, IReadOnlyList<IPAddress> resolved)
    {
        foreach (var address in resolved)
        {
            if (NetworkAddresses.RefusalOf(address) is { } kind)
            {
                return IPAddress.TryParse(host, out _) ? $"{host} is a {kind} address" : $"{host} resolves to {address}, a {kind} address";
            }
        }

        return null;
    }

    /// <summary><c>localhost</c> and its subdomains always name this machine (RFC 6761), whatever a resolver says.</summary>
    public static bool IsLocalName(string host)
    {
        var name = host.TrimEnd('.');
        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);
    }

    private static string? ShapeProblem(string url, WebhookSettings settings)
    {
        if (url.Length != url.Trim().Length || !Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || string.IsNullOrEmpty(uri.Host))
        {
            return "url must be an absolute https URL, e.g. https://example.com/webhooks.";
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !settings.AllowInsecureUrls)
        {
            return "url must use https: messages carry your sessions' data.";
        }

        return uri.UserInfo.Length > 0 ? "url must not carry credentials (user:password@)." : null;
    }
}
