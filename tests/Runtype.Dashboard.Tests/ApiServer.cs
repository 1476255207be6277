using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Runtype.Dashboard.Tests;

/// <summary>
/// The real API host as a separate process (<c>dotnet Runtype.Api.dll</c> from this test's output folder) on
/// 127.0.0.1 and a free port, over a SQLite file in a temporary folder. Only the process it started is ever stopped.
/// </summary>
internal sealed class ApiServer : IAsyncDisposable
{
    private static readonly TimeSpan StartPatience = TimeSpan.FromSeconds(60);

    private readonly StringBuilder _log = new();
    private Process? _process;

    private ApiServer(string folder, int port)
    {
        Folder = folder;
        Port = port;
    }

    public string Folder { get; }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    private string ConnectionString => $"Data Source={Path.Combine(Folder, "runtype.db")}";

    /// <summary>What the server printed, for the message of a failed test.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static async Task<ApiServer> LaunchAsync()
    {
        var server = new ApiServer(Directory.CreateTempSubdirectory("runtype-dashboard-").FullName, FreePort());
        await server.StartAsync(TestContext.Current.CancellationToken);
        return server;
    }

    /// <summary>Runs the <c>keys create</c> verb on the server's database and returns the key it printed last.</summary>
    public async Task<string> CreateKeyAsync(string userId, CancellationToken cancellationToken)
    {
        var start = StartInfo("keys", "create", "--user", userId, "--name", "dashboard test", "--ConnectionStrings:Runtype", ConnectionString);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        Assert.True(process.ExitCode == 0, $"keys create failed ({process.ExitCode}): {await error}");
        return (await output).TrimEnd('\n').Split('\n')[^1];
    }

    /// <summary>Starts the server (again, after <see cref="StopAsync"/>) on the same port and database.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var start = StartInfo("--urls", BaseAddress.ToString().TrimEnd('/'), "--ConnectionStrings:Runtype", ConnectionString);
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + StartPatience;
        while (true)
        {
            Assert.False(_process.HasExited, $"The server exited with {(_process.HasExited ? _process.ExitCode : 0)}:\n{Log}");
            Assert.True(DateTime.UtcNow < deadline, $"The server was not ready within {StartPatience.TotalSeconds:0} s:\n{Log}");
            try
            {
                using var ready = await client.GetAsync("health/ready", cancellationToken);
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The attempt timed out; try again.
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    /// <summary>Kills the server process it started, as a crash or a lost network would end it.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by the dying process; the temporary folder is cleaned by the system.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static ProcessStartInfo StartInfo(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Runtype.Api.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
