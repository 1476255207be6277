using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Runtype.Api.Tests.Infrastructure;

/// <summary>
/// A real webhook receiver: Kestrel on a free loopback port, recording every request it gets (headers, body, when) and
/// answering as each path is told to (200 by default; another status with headers; after a delay; or not at all until
/// released). It also counts requests in flight, in all, per path and per <c>webhook-id</c>.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly ConcurrentDictionary<string, Func<ReceivedWebhook, int, ReceiverAnswer>> _answers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _inFlightById = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Now, int Max)> _inFlightByPath = new(StringComparer.Ordinal);
    private int _inFlight;

    private WebhookReceiver(WebApplication app)
    {
        _app = app;
    }

    public Uri Address { get; private set; } = null!;

    /// <summary>The most requests that were in flight at once.</summary>
    public int MaxInFlight { get; private set; }

    /// <summary>The most requests with one <c>webhook-id</c> that were in flight at once (1 unless a delivery was sent concurrently).</summary>
    public int MaxInFlightOfOneMessage { get; private set; }

    /// <summary>The most requests to <paramref name="path"/> that were in flight at once.</summary>
    public int MaxInFlightAt(string path)
    {
        lock (_counts)
        {
            return _inFlightByPath.GetValueOrDefault(path).Max;
        }
    }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        receiver.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return receiver;
    }

    /// <summary>A URL of this receiver under a path of its own (one per endpoint keeps tests apart).</summary>
    public string Url(string path) => new Uri(Address, path).ToString();

    /// <summary>
    /// How <paramref name="path"/> answers from now on: <paramref name="answer"/> gets the request and its number among this
    /// path's requests (1 for the first).
    /// </summary>
    public void Answer(string path, Func<ReceivedWebhook, int, ReceiverAnswer> answer) => _answers[path] = answer;

    public void Answer(string path, int status) => Answer(path, (_, _) => new ReceiverAnswer(status));

    public IReadOnlyList<ReceivedWebhook> ReceivedAt(string path) => [.. _received.Where(r => r.Path == path)];

    /// <summary>Waits (generously) until <paramref name="path"/> has received at least <paramref name="count"/> requests; returns them in arrival order.</summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> WaitForAsync(string path, int count, Action? eachPoll = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var received = ReceivedAt(path);
            if (received.Count >= count)
            {
                return received;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{path} received {received.Count} of {count} requests: {string.Join(", ", received.Select(r => r.Type))}");
            }

            eachPoll?.Invoke();
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var headers = new HeaderDictionary();
        foreach (var (name, value) in context.Request.Headers)
        {
            headers[name] = value;
        }

        var received = new ReceivedWebhook(context.Request.Path, context.Request.Method, headers, body, DateTimeOffset.UtcNow);
        var number = _counts.AddOrUpdate(received.Path, 1, (_, n) => n + 1);
        var answer = _answers.TryGetValue(received.Path, out var answers) ? answers(received, number) : new ReceiverAnswer(200);
        _received.Enqueue(received);

        lock (_counts)
        {
            MaxInFlight = Math.Max(MaxInFlight, ++_inFlight);
            MaxInFlightOfOneMessage = Math.Max(MaxInFlightOfOneMessage, _inFlightById.AddOrUpdate(received.Id ?? string.Empty, 1, (_, n) => n + 1));
            var atPath = _inFlightByPath.GetValueOrDefault(received.Path);
            _inFlightByPath[received.Path] = (atPath.Now + 1, Math.Max(atPath.Max, atPath.Now + 1));
        }

        try
        {
            if (answer.Delay > TimeSpan.Zero)
            {
                await Task.Delay(answer.Delay, context.RequestAborted);
            }

            if (answer.HoldUntil is { } hold)
            {
                await hold.WaitAsync(context.RequestAborted);
            }

            context.Response.StatusCode = answer.Status;
            foreach (var (name, value) in answer.Headers ?? new Dictionary<string, string>())
            {
                context.Response.Headers[name] = value;
            }

            await context.Response.WriteAsync(answer.Body ?? "ok", context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The sender gave up (its timeout): nothing to answer.
        }
        finally
        {
            lock (_counts)
            {
                _inFlight--;
                _inFlightById.AddOrUpdate(received.Id ?? string.Empty, 0, (_, n) => n - 1);
                var atPath = _inFlightByPath[received.Path];
                _inFlightByPath[received.Path] = (atPath.Now - 1, atPath.Max);
            }
        }
    }
}

/// <summary>One request a receiver got.</summary>
public sealed record ReceivedWebhook(string Path, string Method, IHeaderDictionary Headers, string Body, DateTimeOffset ReceivedAt)
{
    public string? Id => Headers["webhook-id"].FirstOrDefault();

    public string? Timestamp => Headers["webhook-timestamp"].FirstOrDefault();

    public string? Signature => Headers["webhook-signature"].FirstOrDefault();

    /// <summary>The message's <c>type</c>, read from the body.</summary>
    public string? Type => System.Text.Json.JsonDocument.Parse(Body).RootElement.GetProperty("type").GetString();

    public System.Text.Json.JsonElement Json => System.Text.Json.JsonDocument.Parse(Body).RootElement.Clone();
}

/// <summary>How a receiver answers one request.</summary>
public sealed record ReceiverAnswer(int Status, IReadOnlyDictionary<string, string>? Headers = null, TimeSpan Delay = default, Task? HoldUntil = null, string? Body = null);
