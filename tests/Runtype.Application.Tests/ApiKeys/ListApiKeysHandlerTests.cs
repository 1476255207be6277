using NSubstitute;
using Runtype.Application.ApiKeys;
using Runtype.Application.ApiKeys.ListApiKeys;
using Runtype.Domain.ApiKeys;
using static Runtype.Application.Tests.TestData;

namespace Runtype.Application.Tests.ApiKeys;

public sealed class ListApiKeysHandlerTests
{
    private readonly IApiKeyRepository _keys = Substitute.For<IApiKeyRepository>();

    [Fact]
    public async Task Lists_one_users_keys_in_the_order_found()
    {
        var (first, _) = IssueKey(Now.AddDays(-2));
        var (second, _) = IssueKey(Now.AddDays(-1));
        second.Revoke(Now);
        SetLastUsedAt(first, Ms(Now.AddHours(-3)));
        _keys.ListAsync(Owner.UserId, Arg.Any<CancellationToken>()).Returns([first, second]);

        var listed = await new ListApiKeysHandler(_keys).Handle(new ListApiKeys(Owner.UserId), Ct);

        Assert.Equal(2, listed.Count);
        AssertMapped(first, listed[0]);
        AssertMapped(second, listed[1]);
        Assert.Equal(Ms(Now.AddHours(-3)), listed[0].LastUsedAt);
        Assert.Equal(Ms(Now), listed[1].RevokedAt);
        _ = _keys.Received(1).ListAsync(Owner.UserId, Ct);
    }

    [Fact]
    public async Task Without_a_user_every_key_is_asked_for()
    {
        _keys.ListAsync(null, Arg.Any<CancellationToken>()).Returns([]);

        var listed = await new ListApiKeysHandler(_keys).Handle(new ListApiKeys(null), Ct);

        Assert.Empty(listed);
        _ = _keys.Received(1).ListAsync(null, Ct);
    }

    private static void AssertMapped(ApiKey key, ApiKeyDto dto)
    {
        Assert.Equal(key.Id, dto.Id);
        Assert.Equal(key.UserId, dto.UserId);
        Assert.Equal(key.OrganizationId, dto.OrganizationId);
        Assert.Equal(key.Name, dto.Name);
        Assert.Equal(["sessions:read", "sessions:write"], dto.Scopes);
        Assert.Equal(key.CreatedAt, dto.CreatedAt);
        Assert.Equal(key.LastUsedAt, dto.LastUsedAt);
        Assert.Equal(key.RevokedAt, dto.RevokedAt);
    }
}
