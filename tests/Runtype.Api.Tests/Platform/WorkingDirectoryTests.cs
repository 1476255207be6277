using System.Net;
using Microsoft.Data.Sqlite;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Platform;

/// <summary>
/// The built host started from another working directory (<c>cd /; dotnet /opt/runtype/Runtype.Api.dll</c>): its files
/// (the dashboard, appsettings.json) are found in its own folder, not in the working directory.
/// </summary>
public sealed class WorkingDirectoryTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Started_from_another_working_directory_the_host_serves_the_dashboard_from_its_own_folder()
    {
        var elsewhere = Directory.CreateTempSubdirectory("runtype-cwd-");
        try
        {
            var database = $"Data Source={Path.Combine(elsewhere.FullName, "runtype.db")}";
            await using var server = await ApiProcess.StartServerAsync(new ProcessOptions(WorkingDirectory: elsewhere.FullName), Token, "--ConnectionStrings:Runtype", database);
            // The dashboard's files are not API calls: the OpenAPI document does not describe them.
            using var client = server.CreateClient(checkContract: false);

            using var page = await client.GetAsync("/", Token);
            using var script = await client.GetAsync("/app.js", Token);
            using var missing = await client.GetAsync("/missing.js", Token);

            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("<title>Runtype Sessions</title>", await page.ReadTextAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, script.StatusCode);
            Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
            await missing.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
            Assert.Contains($"Content root path: {AppContext.BaseDirectory}", server.Log, StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(elsewhere.FullName, "wwwroot")));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            elsewhere.Delete(recursive: true);
        }
    }
}
