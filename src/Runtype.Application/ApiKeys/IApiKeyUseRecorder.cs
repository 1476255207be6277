namespace Runtype.Application.ApiKeys;

/// <summary>
/// Takes note that a key was used, and has it stored soon after (<see cref="RecordApiKeyUse.RecordApiKeyUse"/>), off
/// the caller's path: authenticating a call never waits for a write, so a database that cannot write right now (a
/// writer stuck in I/O, a lock held elsewhere) never holds up a read.
/// </summary>
public interface IApiKeyUseRecorder
{
    /// <summary>Returns at once; a use of a key whose earlier use is still waiting to be stored adds nothing.</summary>
    void Record(string keyId, DateTime usedAt);
}
