using NSubstitute;
using Runtype.Application.ApiKeys;
using Runtype.Application.ApiKeys.RevokeApiKey;
using Runtype.Application.Common;
using static Runtype.Application.Tests.TestData;

namespace Runtype.Application.Tests.ApiKeys;

public sealed class RevokeApiKeyHandlerTests
{
    private readonly IApiKeyRepository _keys = Substitute.For<IApiKeyRepository>();

    [Fact]
    public async Task Revokes_the_key_and_saves_once()
    {
        var (key, _) = IssueKey();
        _keys.FindAsync(key.Id, Arg.Any<CancellationToken>()).Returns(key);

        var dto = await new RevokeApiKeyHandler(_keys, Clock()).Handle(new RevokeApiKey(key.Id), Ct);

        Assert.True(key.IsRevoked);
        Assert.Equal(Ms(Now), dto.RevokedAt);
        Assert.Equal(key.Id, dto.Id);
        _ = _keys.Received(1).SaveChangesAsync(Ct);
    }

    [Fact]
    public async Task Revoking_twice_keeps_the_first_time_and_saves_nothing()
    {
        var (key, _) = IssueKey();
        key.Revoke(Now.AddDays(-1));
        _keys.FindAsync(key.Id, Arg.Any<CancellationToken>()).Returns(key);

        var dto = await new RevokeApiKeyHandler(_keys, Clock()).Handle(new RevokeApiKey(key.Id), Ct);

        Assert.Equal(Ms(Now.AddDays(-1)), dto.RevokedAt);
        _ = _keys.DidNotReceive().SaveChangesAsync(Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task An_unknown_key_is_not_found()
    {
        var error = await Assert.ThrowsAsync<NotFoundException>(async () =>
            await new RevokeApiKeyHandler(_keys, Clock()).Handle(new RevokeApiKey("0123456789abcdef"), Ct));

        Assert.Contains("0123456789abcdef", error.Message, StringComparison.Ordinal);
        _ = _keys.DidNotReceive().SaveChangesAsync(Arg.Any<CancellationToken>());
    }
}
