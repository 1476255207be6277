using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mediator;
using Runtype.Application.Common.Telemetry;
using Runtype.Domain.Common;

namespace Runtype.Application.Common.Idempotency;

/// <summary>
/// Runs inside the command's transaction: a known key with the same request replays the stored answer and
/// writes nothing; with another request it is refused; a new key stores the answer with the command's writes.
/// Concurrent first uses of one key serialize on the record's primary key: one writes, the others replay.
/// Only successful answers are stored, so a request that failed may be retried with the same key.
/// </summary>
public sealed class IdempotencyBehavior<TMessage, TResponse>(
    IIdempotencyStore store, IdempotencySettings settings, IdempotencyOutcome outcome, PendingMeasurements measurements, TimeProvider clock)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage, IIdempotentCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The command's name as a metric tag: <c>CreateSession</c> → <c>create_session</c>.</summary>
    private static readonly string Operation = JsonNamingPolicy.SnakeCaseLower.ConvertName(typeof(TMessage).Name);

    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        if (message.IdempotencyKey is not { } key)
        {
            return await next(message, cancellationToken);
        }

        var now = UtcTimestamp.From(clock.GetUtcNow());
        var fingerprint = Fingerprint(message);
        var existing = await store.FindAsync(message.Caller.UserId, key, cancellationToken);
        var live = existing is not null && existing.CreatedAt > now - settings.Retention;
        if (live)
        {
            if (!string.Equals(existing!.Fingerprint, fingerprint, StringComparison.Ordinal))
            {
                throw new IdempotencyKeyReusedException();
            }

            outcome.Replayed = true;
            measurements.OnCommit(m => m.IdempotentReplay(Operation));
            return JsonSerializer.Deserialize<TResponse>(existing.Response, Json)!;
        }

        var response = await next(message, cancellationToken);
        var stored = JsonSerializer.Serialize(response, Json);
        if (existing is null)
        {
            store.Add(new IdempotencyRecord(message.Caller.UserId, key, fingerprint, stored, now));
        }
        else
        {
            existing.Replace(fingerprint, stored, now);
        }

        await store.SaveChangesAsync(cancellationToken);
        return response;
    }

    /// <summary>The command's type and arguments (JSON objects in their compact form, so whitespace does not count).</summary>
    private static string Fingerprint(TMessage message)
    {
        var text = $"{typeof(TMessage).FullName}\n{JsonSerializer.Serialize(message, Json)}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
