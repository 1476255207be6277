using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;
using Runtype.Api.Tests.Contract;

namespace Runtype.Api.Tests.Client;

/// <summary>
/// <c>dotnet pack</c> of Runtype.Sessions.Client gives a package a .NET developer can add: the assembly with its XML
/// docs, its own README, and no dependency on the server's projects.
/// </summary>
public sealed class ClientPackageTests
{
    [Fact]
    public async Task The_package_carries_the_assembly_its_xml_docs_and_its_readme_and_none_of_the_server()
    {
        var root = Path.GetDirectoryName(Path.GetDirectoryName(OpenApiDocumentTests.CommittedPath))!;
        var output = Directory.CreateTempSubdirectory("runtype-pack-");
        try
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
            foreach (var arg in new[] { "pack", Path.Combine("src", "Runtype.Sessions.Client", "Runtype.Sessions.Client.csproj"), "-o", output.FullName, "-nologo", "-v", "q" })
            {
                start.ArgumentList.Add(arg);
            }

            using var pack = Process.Start(start)!;
            var log = await pack.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken) + await pack.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await pack.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.True(pack.ExitCode == 0, log);

            using var package = ZipFile.OpenRead(Assert.Single(output.GetFiles("Runtype.Sessions.Client.*.nupkg")).FullName);
            var entries = package.Entries.Select(e => e.FullName).ToArray();
            Assert.Contains("lib/net10.0/Runtype.Sessions.Client.dll", entries);
            Assert.Contains("lib/net10.0/Runtype.Sessions.Client.xml", entries);
            Assert.Contains("README.md", entries);
            using var docs = new StreamReader(package.GetEntry("lib/net10.0/Runtype.Sessions.Client.xml")!.Open());
            Assert.Contains("M:Runtype.Sessions.Client.IRuntypeSessionsClient.StreamEventsAsync", await docs.ReadToEndAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

            var nuspec = XDocument.Load(package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
            var dependencies = nuspec.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => e.Attribute("id")!.Value).ToArray();
            Assert.Contains("Microsoft.Extensions.Http.Resilience", dependencies);
            Assert.DoesNotContain(dependencies, d => d.StartsWith("Runtype.", StringComparison.Ordinal));
            Assert.Equal("README.md", nuspec.Descendants().Single(e => e.Name.LocalName == "readme").Value);
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }
}
