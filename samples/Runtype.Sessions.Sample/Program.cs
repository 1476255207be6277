// A whole generation with Runtype.Sessions.Client: create a session with a PRD, follow its events live while it
// moves through planning → generating → assembling → completed with a plan, progress and the product object, and
// read the result. Usage: dotnet run --project samples/Runtype.Sessions.Sample -- --base-url http://localhost:5080 --api-key rt_…
// (or RUNTYPE_BASE_URL / RUNTYPE_API_KEY).
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Runtype.Sessions.Client;

var baseUrl = Argument("--base-url") ?? Environment.GetEnvironmentVariable("RUNTYPE_BASE_URL") ?? "http://localhost:5080";
var apiKey = Argument("--api-key") ?? Environment.GetEnvironmentVariable("RUNTYPE_API_KEY");
if (string.IsNullOrWhiteSpace(apiKey))
{
    Console.Error.WriteLine("An API key is needed: --api-key rt_… (or RUNTYPE_API_KEY); create one with `keys create --user <userId>`.");
    return 2;
}

var services = new ServiceCollection();
services.AddRuntypeSessionsClient(o => { o.BaseAddress = new Uri(baseUrl); o.ApiKey = apiKey; });
await using var provider = services.BuildServiceProvider();
var client = provider.GetRequiredService<IRuntypeSessionsClient>();
using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
var cancel = timeout.Token;

try
{
    var session = await client.CreateSessionAsync(
        new NewSession { CatalogVersion = "1.0", SchemaVersion = "1.0", Prd = new JsonObject { ["title"] = "AI Customer Support", ["description"] = "An AI-powered customer support product" } },
        cancellationToken: cancel);
    Console.WriteLine($"created {session.Id} ({session.Status})");

    // Follow the log live while the generation runs; the stream ends by itself once the session is completed.
    var followed = Task.Run(
        async () =>
        {
            var seen = 0;
            await foreach (var e in client.StreamEventsAsync(session.Id, cancellationToken: cancel))
            {
                seen++;
                Console.WriteLine($"  event {e.Type,-15} {e.Stage,-11} {e.Message}");
            }

            return seen;
        },
        cancel);

    session = await client.UpdateSessionAsync(session, new SessionUpdate { Status = SessionStatus.Planning }, cancel);
    session = await client.UpdateSessionAsync(
        session,
        new SessionUpdate { Status = SessionStatus.Generating, Plan = new JsonObject { ["capabilities"] = new JsonArray("chat", "search"), ["surfaces"] = new JsonArray("widget") } },
        cancel);
    for (var step = 1; step <= 3; step++)
    {
        await client.AppendEventAsync(
            session.Id,
            new NewSessionEvent("progress") { Stage = "generation", Message = $"Generating capability {step} of 3", Payload = new JsonObject { ["step"] = step, ["totalSteps"] = 3 } },
            cancellationToken: cancel);
    }

    session = await client.UpdateSessionAsync(session.Id, new SessionUpdate { Status = SessionStatus.Assembling, AssemblyState = new JsonObject { ["step"] = "assembling", ["progress"] = 50 } }, cancellationToken: cancel);
    session = await client.UpdateSessionAsync(session.Id, new SessionUpdate { AssemblyState = new JsonObject { ["step"] = "assembling", ["progress"] = 100 } }, cancellationToken: cancel);
    session = await client.UpdateSessionAsync(
        session.Id,
        new SessionUpdate { Status = SessionStatus.Completed, ProductObject = new JsonObject { ["type"] = "text-generation", ["config"] = new JsonObject { ["maxTokens"] = 512 } } },
        cancellationToken: cancel);
    Console.WriteLine($"{session.Status}: productObjectHash {session.ProductObjectHash}");

    var streamed = await followed;
    var details = await client.GetSessionAsync(session.Id, cancel);
    var completed = 0;
    await foreach (var _ in client.ListAllSessionsAsync(SessionStatus.Completed, pageSize: 50, cancellationToken: cancel))
    {
        completed++;
    }

    Console.WriteLine($"{streamed} events streamed, {details.Events.Count} in the log; {completed} completed session(s) in all");
    return streamed == details.Events.Count && details.Status == SessionStatus.Completed ? 0 : 1;
}
catch (RuntypeApiException e)
{
    Console.Error.WriteLine($"{(int)e.StatusCode} {e.Code}: {e.Detail} (traceId {e.TraceId})");
    return 1;
}

string? Argument(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
