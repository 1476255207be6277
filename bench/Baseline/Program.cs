// The hand-written baseline: the benchmarked calls of the Sessions API as a minimal ASP.NET Core app over plain
// ADO.NET (Microsoft.Data.Sqlite or Npgsql), on the schema and database the service migrates. It does the same
// observable work (API-key lookup and hash check, validation, the same rows read and written, the same row lock, the
// same JSON) with none of the architecture: no MVC, no mediator, no validators, no EF Core, no mapper, no request log.
// bench/run.sh compares the service against it; see docs/performance.md.
//
//   Baseline sqlite <database file> <port>
//   Baseline postgresql <connection string> <port>
using System.Net;
using Runtype.Bench;
using Runtype.Bench.Baseline;

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: Baseline sqlite <database file> <port> | Baseline postgresql <connection string> <port>");
    return 2;
}

// On SQLite the same per-connection settings as the service: synchronous=NORMAL (crash-safe in WAL), foreign keys on.
// On PostgreSQL the same driver settings as the service's defaults (PostgreSqlPersistence.WithDriverDefaults): a
// statement run a few times is prepared on its connection, a connection back in the pool is not reset.
var target = args[0] == "postgresql" ? args[1] + ";Max Auto Prepare=64;No Reset On Close=true" : args[1];
var database = BenchDatabase.Create(args[0], target, sqlitePragmas: "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
var port = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Limits.MaxRequestBodySize = Api.MaxBodyBytes;
    kestrel.Listen(IPAddress.Loopback, port);
});
builder.Services.AddSingleton(new Api(database, TimeProvider.System));

var app = builder.Build();
var api = app.Services.GetRequiredService<Api>();
const string Base = "/v1/products/generation/sessions";
app.MapGet(Base, api.ListAsync);
app.MapPost(Base, api.CreateAsync);
app.MapGet(Base + "/{id}", api.GetAsync);
app.MapMethods(Base + "/{id}", ["PATCH"], api.UpdateAsync);
app.MapPost(Base + "/{id}/events", api.AppendEventAsync);
app.MapGet(Base + "/{id}/events", api.ListEventsAsync);
app.MapGet("/health/ready", () => "Healthy");
await app.RunAsync();
return 0;
