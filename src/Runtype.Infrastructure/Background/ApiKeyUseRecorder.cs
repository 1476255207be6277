using System.Collections.Concurrent;
using System.Threading.Channels;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Runtype.Application.ApiKeys;
using Runtype.Application.ApiKeys.RecordApiKeyUse;
using Runtype.Infrastructure.Persistence;

namespace Runtype.Infrastructure.Background;

/// <summary>
/// Stores the uses of keys that authenticated calls noted (<see cref="IApiKeyUseRecorder"/>), one
/// <see cref="RecordApiKeyUse"/> each, soon after the call and never on its path. A use waits here, at most one per key,
/// until it is stored; while the database cannot take it (busy, stalled, away), it waits and is tried again every
/// <see cref="RetryDelay"/>. What is still waiting when the process stops is not stored: lastUsedAt is a hint with a
/// minute's resolution, and the key's next use records it again.
/// </summary>
public sealed partial class ApiKeyUseRecorder(IServiceScopeFactory scopes, DatabaseFailures failures, ILogger<ApiKeyUseRecorder> logger)
    : BackgroundService, IApiKeyUseRecorder
{
    internal static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, DateTime> _waiting = new(StringComparer.Ordinal);
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Record(string keyId, DateTime usedAt)
    {
        if (_waiting.TryAdd(keyId, usedAt))
        {
            _wake.Writer.TryWrite(true);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (await _wake.Reader.WaitToReadAsync(stoppingToken))
        {
            _wake.Reader.TryRead(out _);
            if (!await StoreWaitingAsync(stoppingToken))
            {
                await Task.Delay(RetryDelay, stoppingToken);
                _wake.Writer.TryWrite(true);
            }
        }
    }

    /// <summary>Stores every waiting use; false when the database could not take one (it stays waiting).</summary>
    private async Task<bool> StoreWaitingAsync(CancellationToken stoppingToken)
    {
        foreach (var use in _waiting)
        {
            try
            {
                await using var scope = await DatabaseScope.OpenAsync(scopes, stoppingToken);
                await scope.Get<ISender>().Send(new RecordApiKeyUse(use.Key, use.Value), stoppingToken);
            }
            catch (Exception ex) when (failures.IsUnavailable(ex) && !stoppingToken.IsCancellationRequested)
            {
                LogNotStoredYet(logger, use.Key, ex.Message);
                return false;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, use.Key, ex);
            }

            _waiting.TryRemove(use);
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The last use of API key {KeyId} is not stored yet (the database is unavailable: {Reason}); tried again shortly")]
    private static partial void LogNotStoredYet(ILogger logger, string keyId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Storing the last use of API key {KeyId} failed; it is dropped")]
    private static partial void LogFailed(ILogger logger, string keyId, Exception exception);
}
