using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace Runtype.Api.Tests.Infrastructure;

/// <summary>The API host as a real process: <c>dotnet Runtype.Api.dll</c> from the test output folder.</summary>
public static class ApiProcess
{
    /// <summary>Runs a verb to its end.</summary>
    public static async Task<ProcessResult> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        using var process = Process.Start(StartInfo(args))!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return new ProcessResult(process.ExitCode, await output, await error);
    }

    /// <summary>Starts a server on a free loopback port and waits until <c>/health/ready</c> answers 200.</summary>
    public static Task<ApiServer> StartServerAsync(CancellationToken cancellationToken, params string[] args) =>
        StartServerAsync(new Uri($"http://127.0.0.1:{FreePort()}"), cancellationToken, args);

    /// <summary>Starts a server at <paramref name="address"/> (e.g. again where a stopped one listened) and waits until it is ready.</summary>
    public static Task<ApiServer> StartServerAsync(Uri address, CancellationToken cancellationToken, params string[] args) =>
        StartServerAsync(address, new ProcessOptions(), cancellationToken, args);

    /// <summary>Starts a server on a free loopback port, from another working directory or with more environment variables.</summary>
    public static Task<ApiServer> StartServerAsync(ProcessOptions options, CancellationToken cancellationToken, params string[] args) =>
        StartServerAsync(new Uri($"http://127.0.0.1:{FreePort()}"), options, cancellationToken, args);

    private static async Task<ApiServer> StartServerAsync(Uri address, ProcessOptions options, CancellationToken cancellationToken, string[] args)
    {
        var server = new ApiServer(address, Process.Start(StartInfo(["--urls", address.ToString(), .. args], options))!);
        try
        {
            await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>A loopback port nothing listens on (at the moment of the call).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static ProcessStartInfo StartInfo(IEnumerable<string> args, ProcessOptions? options = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = options?.WorkingDirectory ?? AppContext.BaseDirectory,
        };
        foreach (var (name, value) in options?.Environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Runtype.Api.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }
}

/// <summary>How to start the process: its working directory (the test output folder by default) and extra environment variables.</summary>
public sealed record ProcessOptions(string? WorkingDirectory = null, IReadOnlyDictionary<string, string>? Environment = null);

/// <summary>How a verb ended: its exit code and what it wrote.</summary>
public sealed record ProcessResult(int Code, string Output, string Error)
{
    /// <summary>The last line of stdout (where <c>keys create</c> prints the key).</summary>
    public string LastLine => Output.TrimEnd('\n').Split('\n')[^1];
}

/// <summary>A running API server process; disposing it kills the process.</summary>
public sealed class ApiServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly Func<CancellationToken, Task<ApiContract>> _contract;

    internal ApiServer(Uri address, Process process)
    {
        Address = address;
        _process = process;
        _contract = ContractCheckingHandler.FromServer(() => new HttpClient { BaseAddress = Address });
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public Uri Address { get; }

    /// <summary>The server's process id (the <c>dotnet</c> host runs the app in its own process).</summary>
    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Resident memory of the process now (VmRSS in /proc/&lt;pid&gt;/status), in MiB.</summary>
    public double ResidentMemoryMiB
    {
        get
        {
            var line = File.ReadLines($"/proc/{ProcessId}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
        }
    }

    /// <summary>SIGKILL, the whole process at once: no shutdown, no flush, no finally block runs in it.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
        }

        await _process.WaitForExitAsync(CancellationToken.None);
    }

    /// <summary>What the process has written so far (stdout and stderr), for failure messages.</summary>
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

    /// <summary>
    /// A client of this server that sends <paramref name="key"/> as a bearer token. Its answers are checked against the
    /// server's OpenAPI document (<see cref="ContractCheckingHandler"/>) unless <paramref name="checkContract"/> is false:
    /// for tests that break the server on purpose (the Kestrel faults), whose answers are the faults' own.
    /// </summary>
    public HttpClient CreateClient(string? key = null, bool checkContract = true)
    {
        var client = checkContract
            ? new HttpClient(new ContractCheckingHandler(_contract) { InnerHandler = new SocketsHttpHandler() }) { BaseAddress = Address }
            : new HttpClient { BaseAddress = Address };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync(CancellationToken.None);
        _process.Dispose();
    }

    internal async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var client = CreateClient(checkContract: false);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server at {Address} exited with code {_process.ExitCode}:\n{Log}");
            }

            if (await IsReadyAsync(client, cancellationToken))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The server at {Address} was not ready within {timeout}:\n{Log}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }

    private static async Task<bool> IsReadyAsync(HttpClient client, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await client.GetAsync("/health/ready", cancellationToken);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false; // not listening yet
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }
}
