// The hand-written baseline: the benchmarked calls of the Sessions API as a minimal ASP.NET Core app over plain
// ADO.NET (Microsoft.Data.Sqlite), on the schema and database file the service migrates. It does the same observable
// work (API-key lookup and hash check, validation, the same rows read and written, the same JSON) with none of the
// architecture: no MVC, no mediator, no validators, no EF Core, no mapper, no request log. bench/run.sh compares the
// service against it; see docs/performance.md.
using System.Net;
using Microsoft.Data.Sqlite;
using Runtype.Bench.Baseline;

var database = args.Length > 0 ? args[0] : "data/runtype.db";
var port = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5081;

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Limits.MaxRequestBodySize = Api.MaxBodyBytes;
    kestrel.Listen(IPAddress.Loopback, port);
});
builder.Services.AddSingleton(new Api(new SqliteConnectionStringBuilder { DataSource = database, DefaultTimeout = 5, Pooling = true }.ToString(), TimeProvider.System));

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
