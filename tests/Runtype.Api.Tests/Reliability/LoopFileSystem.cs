using System.Diagnostics;

namespace Runtype.Api.Tests.Reliability;

/// <summary>
/// A small ext4 file system of the test's own, in an image file mounted through a loop device, that the test can freeze
/// (<c>fsfreeze</c>): every write to it then blocks, uninterruptibly, until the thaw, while reads of what is cached go
/// on — a storage stall. Needs root, loop devices and the util-linux tools; <see cref="TryMountAsync"/> says why not.
/// </summary>
/// <remarks>
/// A process that writes to a frozen file system cannot be killed until it is thawed: thaw (or dispose) in a
/// <c>finally</c> before stopping anything that used it. Only this image is ever frozen.
/// </remarks>
public sealed class LoopFileSystem : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    private readonly string _image;
    private bool _mounted;

    private LoopFileSystem(string image, string mountPoint)
    {
        _image = image;
        MountPoint = mountPoint;
    }

    /// <summary>Where the file system is mounted.</summary>
    public string MountPoint { get; }

    /// <summary>A 64 MiB ext4 image in <paramref name="folder"/>, mounted under it; or null and why it cannot be.</summary>
    public static async Task<(LoopFileSystem? FileSystem, string? Reason)> TryMountAsync(DirectoryInfo folder)
    {
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
        {
            return (null, "freezing a file system needs Linux and root (mount -o loop, fsfreeze)");
        }

        var fileSystem = new LoopFileSystem(Path.Combine(folder.FullName, "fs.img"), Directory.CreateDirectory(Path.Combine(folder.FullName, "mnt")).FullName);
        await using (var image = File.Create(fileSystem._image))
        {
            image.SetLength(64L << 20);
        }

        foreach (var (tool, args) in new[] { ("mkfs.ext4", new[] { "-q", "-F", fileSystem._image }), ("mount", ["-o", "loop", fileSystem._image, fileSystem.MountPoint]) })
        {
            var (code, output) = await RunAsync(tool, args);
            if (code != 0)
            {
                return (null, $"no loop-mounted file system here ({tool} {string.Join(' ', args)}: exit {code} {output.Trim()})");
            }
        }

        fileSystem._mounted = true;
        return (fileSystem, null);
    }

    /// <summary>From now on every write to the file system blocks until <see cref="ThawAsync"/>.</summary>
    public async Task FreezeAsync()
    {
        var (code, output) = await RunAsync("fsfreeze", "-f", MountPoint);
        if (code != 0)
        {
            throw new InvalidOperationException($"fsfreeze -f {MountPoint}: exit {code} {output}");
        }
    }

    /// <summary>Lets the blocked writes go on; harmless when not frozen.</summary>
    public async Task ThawAsync() => await RunAsync("fsfreeze", "-u", MountPoint);

    public async ValueTask DisposeAsync()
    {
        await ThawAsync();
        if (_mounted)
        {
            for (var attempt = 0; attempt < 20 && (await RunAsync("umount", MountPoint)).Code != 0; attempt++)
            {
                await Task.Delay(250); // a process that had the file open may still be exiting
            }

            _mounted = false;
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(CommandTimeout);
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await output + await error);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, ex.Message); // the tool is not installed
        }
    }
}
