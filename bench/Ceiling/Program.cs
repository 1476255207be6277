// The ceiling of the HTTP stack on this machine: bare Kestrel, no middleware, no routing, one fixed JSON body (the
// bytes of the file given as the first argument: bench/run.sh passes a real get-one answer, so the size matches).
using System.Net;

var body = await File.ReadAllBytesAsync(args[0]);
var port = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5090;
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Listen(IPAddress.Loopback, port);
});
var app = builder.Build();
app.Run(async context =>
{
    context.Response.ContentType = "application/json; charset=utf-8";
    context.Response.ContentLength = body.Length;
    await context.Response.Body.WriteAsync(body);
});
await app.RunAsync();
