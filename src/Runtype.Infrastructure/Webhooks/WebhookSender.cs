using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;
using Runtype.Application.Webhooks;
using Runtype.Application.Webhooks.DispatchWebhooks;
using Runtype.Domain.Webhooks;

namespace Runtype.Infrastructure.Webhooks;

/// <summary>
/// Sends one attempt: a POST of the message's body as <c>application/json</c> with the Standard Webhooks headers
/// (<c>webhook-id</c>, <c>webhook-timestamp</c> of this attempt, <c>webhook-signature</c> by every valid secret), through
/// the <c>webhooks</c> client (no redirects, no proxy, connections only to checked addresses). The attempt, connection
/// and answer together, is bounded by <see cref="WebhookSettings.Timeout"/>; at most <see cref="MaxResponseBytes"/> of
/// the answer's body are read (then the connection is dropped).
/// </summary>
internal sealed partial class WebhookSender(IHttpClientFactory clients, WebhookSettings settings, TimeProvider clock, ILogger<WebhookSender> logger)
{
    public const string ClientName = "webhooks";
    public const string UserAgent = "Runtype-Webhooks/1.0";
    public const int MaxResponseBytes = 64 * 1024;

    public async Task<WebhookAttemptResult> SendAsync(WebhookAttempt attempt)
    {
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, attempt.Url)
        {
            Content = new StringContent(attempt.Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("webhook-id", attempt.MessageId);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", WebhookSignature.Header(attempt.Secrets, attempt.MessageId, timestamp, attempt.Body));

        // Real time, not the service's clock: this bounds a wait on the network.
        using var timeout = new CancellationTokenSource(settings.Timeout);
        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            await DrainAsync(response, timeout.Token);
            if (status is < 200 or >= 300)
            {
                LogAnswered(logger, attempt.DeliveryId, attempt.EndpointId, status);
            }

            return new WebhookAttemptResult(attempt.DeliveryId, attempt.LeaseToken, status, RetryAfterOf(response.Headers.RetryAfter));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            LogFailed(logger, attempt.DeliveryId, attempt.EndpointId, $"no answer within {settings.Timeout}");
            return new WebhookAttemptResult(attempt.DeliveryId, attempt.LeaseToken, null, null);
        }
        catch (HttpRequestException ex)
        {
            LogFailed(logger, attempt.DeliveryId, attempt.EndpointId, ex.InnerException?.Message ?? ex.Message);
            return new WebhookAttemptResult(attempt.DeliveryId, attempt.LeaseToken, null, null);
        }
    }

    /// <summary>Reads (and drops) at most <see cref="MaxResponseBytes"/> of the answer, so a small answer leaves the connection reusable.</summary>
    private static async Task DrainAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(8192);
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            for (var total = 0; total < MaxResponseBytes;)
            {
                var read = await body.ReadAsync(buffer, cancellationToken);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException)
        {
            // The status arrived in time; what follows it does not change the outcome.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private TimeSpan? RetryAfterOf(RetryConditionHeaderValue? retryAfter) => retryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - clock.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook delivery {DeliveryId} to endpoint {EndpointId} answered {Status}")]
    private static partial void LogAnswered(ILogger logger, Guid deliveryId, Guid endpointId, int status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook delivery {DeliveryId} to endpoint {EndpointId} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, Guid deliveryId, Guid endpointId, string reason);
}
