// The webhook benchmark's driver and receiver in one process (bench/webhooks.sh runs it): a Kestrel receiver on
// loopback that answers 204 and records when each message arrived, endpoints of one user pointing at it, and a paced
// load of session creations through the API. It prints one tab-separated line:
//   created  deliveries  missing  deliveries/s  commit->first attempt p50 ms  p99 ms  create rate/s
// Deliveries/s counts first attempts from the first arrival to the last; the latency of a message is its arrival at
// the receiver minus the body's "timestamp" (taken in the creating transaction, just before it commits).
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Runtype.Bench;

var options = Options.Parse(args);
var arrivals = new ConcurrentDictionary<string, (DateTimeOffset Sent, DateTimeOffset Arrived)>(StringComparer.Ordinal);

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls("http://127.0.0.1:0");
var receiver = builder.Build();
receiver.MapPost("/hooks/{endpoint}", async (HttpContext context, string endpoint) =>
{
    var arrived = DateTimeOffset.UtcNow;
    using var body = await JsonDocument.ParseAsync(context.Request.Body);
    var sent = DateTimeOffset.Parse(body.RootElement.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture);
    arrivals.TryAdd($"{endpoint}/{context.Request.Headers["webhook-id"]}", (sent, arrived));
    return Results.NoContent();
});
await receiver.StartAsync();
var receiverAddress = receiver.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

using var api = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Concurrency }) { BaseAddress = new Uri(options.Api) };
api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.Key);
for (var i = 0; i < options.Endpoints; i++)
{
    var body = JsonSerializer.Serialize(new { url = $"{receiverAddress}/hooks/{i}", eventTypes = new[] { "session.created" } });
    using var created = await api.PostAsync("v1/webhooks/endpoints", new StringContent(body, Encoding.UTF8, "application/json"));
    created.EnsureSuccessStatusCode();
}

// A warm-up first (the service's JIT and pools reach their steady state), drained and forgotten; then the measured load.
if (options.Warmup > 0)
{
    var warmed = await LoadAsync(options.Warmup);
    await DrainAsync(warmed * options.Endpoints);
    arrivals.Clear();
}

var clock = Stopwatch.StartNew();
var createdCount = await LoadAsync(options.Seconds);
var loadSeconds = clock.Elapsed.TotalSeconds;
var expected = createdCount * options.Endpoints;
await DrainAsync(expected);

var received = arrivals.Values.ToArray();
var latencies = received.Select(r => (r.Arrived - r.Sent).TotalMilliseconds).Order().ToArray();
var span = received.Length > 1 ? (received.Max(r => r.Arrived) - received.Min(r => r.Arrived)).TotalSeconds : 1;
Console.WriteLine(string.Join('\t',
    createdCount,
    received.Length,
    expected - received.Length,
    (received.Length / span).ToString("F0", CultureInfo.InvariantCulture),
    Percentiles.Of(latencies, 0.50).ToString("F0", CultureInfo.InvariantCulture),
    Percentiles.Of(latencies, 0.99).ToString("F0", CultureInfo.InvariantCulture),
    (createdCount / loadSeconds).ToString("F0", CultureInfo.InvariantCulture)));
await receiver.StopAsync();
return expected == received.Length ? 0 : 1;

// Paced creations: one every 1/rate seconds, at most Concurrency in flight; returns how many were created.
async Task<int> LoadAsync(int seconds)
{
    var slots = new SemaphoreSlim(options.Concurrency);
    var calls = new List<Task>();
    var created = 0;
    var pace = Stopwatch.StartNew();
    var total = (long)options.Rate * seconds;
    for (long n = 0; n < total; n++)
    {
        var due = TimeSpan.FromSeconds((double)n / options.Rate);
        if (due > pace.Elapsed)
        {
            await Task.Delay(due - pace.Elapsed);
        }

        await slots.WaitAsync();
        calls.Add(Task.Run(async () =>
        {
            try
            {
                using var response = await api.PostAsync("v1/products/generation/sessions", new StringContent("{}", Encoding.UTF8, "application/json"));
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref created);
                }
            }
            finally
            {
                slots.Release();
            }
        }));
    }

    await Task.WhenAll(calls);
    return created;
}

// Waits until every message of the load has arrived, or a minute has passed.
async Task DrainAsync(int expected)
{
    var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
    while (arrivals.Count < expected && DateTime.UtcNow < deadline)
    {
        await Task.Delay(100);
    }
}


internal sealed record Options(string Api, string Key, int Rate, int Seconds, int Warmup, int Endpoints, int Concurrency)
{
    public static Options Parse(string[] args)
    {
        string Value(string name, string? fallback = null)
        {
            var at = Array.IndexOf(args, name);
            return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback ?? throw new ArgumentException($"{name} is required");
        }

        int Number(string name, int fallback) => int.Parse(Value(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

        return new Options(Value("--api"), Value("--key"), Number("--rate", 600), Number("--seconds", 20), Number("--warmup", 10), Number("--endpoints", 1), Number("--concurrency", 64));
    }
}
