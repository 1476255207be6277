using Mediator;

namespace Runtype.Application.ApiKeys.RecordApiKeyUse;

/// <summary>
/// Stores a key's last use, in a transaction like every write. Sent by <see cref="IApiKeyUseRecorder"/> in the
/// background, never on the authenticated call's path; a use within the resolution of the stored one changes nothing.
/// </summary>
public sealed record RecordApiKeyUse(string KeyId, DateTime UsedAt) : ICommand;

public sealed class RecordApiKeyUseHandler(IApiKeyRepository keys) : ICommandHandler<RecordApiKeyUse>
{
    public async ValueTask<Unit> Handle(RecordApiKeyUse command, CancellationToken cancellationToken)
    {
        await keys.RecordUseAsync(command.KeyId, command.UsedAt, cancellationToken);
        return Unit.Value;
    }
}
