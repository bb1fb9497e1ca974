// Plain data between Lua states: what crosses, what is refused, and the
// read-only view workers get of ctx.shared.
#include "script/lua_value.hpp"

#include <gtest/gtest.h>

#include <lua.hpp>
#include <string>

#include "script/lua_state.hpp"

namespace smtp::script::lua_value_test {
namespace {

// Runs `code` (which returns one value) and reads the value.
Value read(const std::string& code) {
  LuaState lua;
  lua.run_string(code, "data.lua", 1);
  return to_value(lua.get(), -1, "shared");
}

std::string read_error(const std::string& code) {
  try {
    read(code);
  } catch (const ScriptError& e) {
    return e.what();
  }
  return "";
}

// A state with `value` as the read-only global `shared`.
struct ReadOnlyState {
  explicit ReadOnlyState(const Value& value) {
    lua_State* L = lua.get();
    lua_pushcfunction(L, [](lua_State* L) -> int {
      push_read_only(L, *static_cast<const Value*>(lua_touserdata(L, 1)), "ctx.shared");
      lua_setglobal(L, "shared");
      return 0;
    });
    lua_pushlightuserdata(L, const_cast<Value*>(&value));
    lua.call(1, 0);
  }
  // Runs `code` and returns the string it returns.
  std::string run(const std::string& code) {
    lua.run_string(code, "worker.lua", 1);
    std::string out = lua_tostring(lua.get(), -1) != nullptr ? lua_tostring(lua.get(), -1) : "";
    lua_pop(lua.get(), 1);
    return out;
  }
  std::string error(const std::string& code) {
    try {
      lua.run_string(code, "worker.lua");
    } catch (const ScriptError& e) {
      return e.what();
    }
    return "";
  }
  LuaState lua;
};

Value sample() {
  return Value(Value::Table{
      {"name", "relay"},
      {"port", std::int64_t{25}},
      {"share", 0.5},
      {"on", true},
      {"domains", Value::List{"a.test", "b.test", "c.test"}},
      {"nested", Value::Table{{"inner", Value::Table{{"deep", "yes"}}}}},
  });
}

TEST(ToValue, ScalarsKeepTheirTypes) {
  EXPECT_TRUE(read("return nil").is_nil());
  ASSERT_NE(read("return true").boolean(), nullptr);
  EXPECT_TRUE(*read("return true").boolean());
  ASSERT_NE(read("return 42").integer(), nullptr);
  EXPECT_EQ(*read("return 42").integer(), 42);
  ASSERT_NE(read("return 2.5").number(), nullptr);
  EXPECT_EQ(*read("return 2.5").number(), 2.5);
  ASSERT_NE(read("return 'a\\0b'").string(), nullptr);
  EXPECT_EQ(*read("return 'a\\0b'").string(), std::string("a\0b", 3));
}

TEST(ToValue, ListsAndNamedTables) {
  const Value v = read("return { list = { 'x', 'y' }, named = { k = 1 }, empty = {} }");
  ASSERT_NE(v.table(), nullptr);
  const auto& t = *v.table();
  ASSERT_NE(t.at("list").list(), nullptr);
  ASSERT_EQ(t.at("list").list()->size(), 2u);
  EXPECT_EQ(*t.at("list").list()->at(1).string(), "y");
  EXPECT_EQ(*t.at("named").table()->at("k").integer(), 1);
  ASSERT_NE(t.at("empty").table(), nullptr);
  EXPECT_TRUE(t.at("empty").table()->empty());
}

TEST(ToValue, ASharedSubtableIsCopiedTwiceNotACycle) {
  const Value v = read("local s = { 1 } return { a = s, b = s }");
  EXPECT_EQ(*v.table()->at("a").list()->at(0).integer(), 1);
  EXPECT_EQ(*v.table()->at("b").list()->at(0).integer(), 1);
}

TEST(ToValue, RefusesFunctionsAndThreadsNamingWhere) {
  auto e = read_error("return { handlers = { on = function() end } }");
  EXPECT_NE(e.find("shared.handlers.on is a function"), std::string::npos) << e;
  e = read_error("return { 1, coroutine.create(print) }");
  EXPECT_NE(e.find("shared[2] is a thread"), std::string::npos) << e;
  e = read_error("return { ['odd key'] = print }");
  EXPECT_NE(e.find("shared[\"odd key\"] is a function"), std::string::npos) << e;
}

TEST(ToValue, RefusesCycles) {
  const auto e = read_error("local t = { inner = {} } t.inner.back = t return t");
  EXPECT_NE(e.find("shared.inner.back contains itself (a cycle)"), std::string::npos) << e;
}

TEST(ToValue, RefusesMixedSparseAndOddKeys) {
  EXPECT_NE(read_error("return { 1, 2, name = 3 }").find("shared mixes list items and named"),
            std::string::npos);
  EXPECT_NE(read_error("return { [1] = 'a', [3] = 'c' }").find("shared is a list with holes"),
            std::string::npos);
  EXPECT_NE(read_error("return { [true] = 1 }").find("shared has a key that is a boolean"),
            std::string::npos);
  EXPECT_NE(read_error("return { [1.5] = 1 }").find("number other than 1..n"), std::string::npos);
  EXPECT_NE(read_error("return { [0] = 1 }").find("number other than 1..n"), std::string::npos);
}

TEST(ToValue, RefusesDeepNesting) {
  const auto e = read_error("local t = {} for i = 1, 150 do t = { t } end return t");
  EXPECT_NE(e.find("deeper than 100 levels"), std::string::npos) << e;
}

TEST(ToValue, LeavesTheStackAsItFoundIt) {
  LuaState lua;
  lua.run_string("return { a = { 1, 2 } }, { f = print }", "data.lua", 2);
  const int top = lua_gettop(lua.get());
  EXPECT_NO_THROW(to_value(lua.get(), -2, "x"));
  EXPECT_THROW(to_value(lua.get(), -1, "x"), ScriptError);
  EXPECT_EQ(lua_gettop(lua.get()), top);
}

TEST(PushValue, RoundTripsThroughAnotherState) {
  LuaState lua;
  lua_State* L = lua.get();
  const Value original = sample();
  lua_pushcfunction(L, [](lua_State* L) -> int {
    push_value(L, *static_cast<const Value*>(lua_touserdata(L, 1)));
    return 1;
  });
  lua_pushlightuserdata(L, const_cast<Value*>(&original));
  lua.call(1, 1);
  const Value copy = to_value(L, -1, "copy");
  const auto& t = *copy.table();
  EXPECT_EQ(*t.at("name").string(), "relay");
  EXPECT_EQ(*t.at("port").integer(), 25);
  EXPECT_EQ(*t.at("share").number(), 0.5);
  EXPECT_TRUE(*t.at("on").boolean());
  EXPECT_EQ(*t.at("domains").list()->at(2).string(), "c.test");
  EXPECT_EQ(*t.at("nested").table()->at("inner").table()->at("deep").string(), "yes");
  // A plain push is an ordinary, writable table.
  lua_setglobal(L, "copy");
  EXPECT_NO_THROW(lua.run_string("copy.name = 'changed'", "w.lua"));
}

TEST(ReadOnly, ReadsLikeTheData) {
  ReadOnlyState s(sample());
  EXPECT_EQ(s.run("return shared.name .. shared.port .. tostring(shared.on)"), "relay25true");
  EXPECT_EQ(s.run("return shared.nested.inner.deep"), "yes");
  EXPECT_EQ(s.run("return tostring(#shared.domains)"), "3");
  EXPECT_EQ(s.run("local o = '' for i, d in ipairs(shared.domains) do o = o .. i .. d end "
                  "return o"),
            "1a.test2b.test3c.test");
  EXPECT_EQ(s.run("local n = {} for k in pairs(shared) do n[#n + 1] = k end table.sort(n) "
                  "return table.concat(n, ',')"),
            "domains,name,nested,on,port,share");
  EXPECT_EQ(s.run("return table.concat(shared.domains, ' ')"), "a.test b.test c.test");
  EXPECT_EQ(s.run("return getmetatable(shared)"), "read-only");
}

TEST(ReadOnly, WritesFailWithFileAndLine) {
  ReadOnlyState s(sample());
  auto e = s.error("local x = 1\nshared.name = 'x'\n");
  EXPECT_EQ(e.find("worker.lua:2: ctx.shared is read-only\n"), 0u) << e;
  e = s.error("\n\nshared.nested.inner.new = 1\n");
  EXPECT_EQ(e.find("worker.lua:3: ctx.shared is read-only\n"), 0u) << e;
  // Through a C function the error still names the script's line.
  e = s.error("table.insert(shared.domains, 'd.test')");
  EXPECT_EQ(e.find("worker.lua:1: ctx.shared is read-only\n"), 0u) << e;
  e = s.error("setmetatable(shared, nil)");
  EXPECT_NE(e.find("protected metatable"), std::string::npos) << e;
  // pairs hands out the proxy, not the table behind it.
  e = s.error("local _, t = pairs(shared) t.name = 'x'");
  EXPECT_NE(e.find("read-only"), std::string::npos) << e;
  EXPECT_EQ(s.run("return shared.name"), "relay");
}

TEST(ReadOnly, ReadBackThroughTheProxy) {
  ReadOnlyState s(sample());
  lua_getglobal(s.lua.get(), "shared");
  const Value copy = to_value(s.lua.get(), -1, "shared");
  EXPECT_EQ(*copy.table()->at("nested").table()->at("inner").table()->at("deep").string(), "yes");
  EXPECT_EQ(copy.table()->at("domains").list()->size(), 3u);
}

TEST(ReadOnly, MakeReadOnlyIsShallow) {
  LuaState lua;
  lua_State* L = lua.get();
  lua_pushcfunction(L, [](lua_State* L) -> int {
    lua_newtable(L);
    lua_newtable(L);
    lua_setfield(L, -2, "inner");
    lua_pushinteger(L, 1);
    lua_setfield(L, -2, "n");
    make_read_only(L, "ctx");
    lua_setglobal(L, "ctx");
    return 0;
  });
  lua.call(0, 0);
  EXPECT_EQ(lua_gettop(L), 0);
  EXPECT_NO_THROW(lua.run_string("ctx.inner.x = 1", "w.lua"));
  try {
    lua.run_string("ctx.n = 2", "w.lua");
    ADD_FAILURE() << "the write went through";
  } catch (const ScriptError& e) {
    EXPECT_EQ(std::string(e.what()).find("w.lua:1: ctx is read-only"), 0u) << e.what();
  }
  lua.run_string("return ctx.n + ctx.inner.x", "r.lua", 1);
  EXPECT_EQ(lua_tointeger(L, -1), 2);
}

TEST(ReadOnly, ScalarsArePushedAsThemselves) {
  ReadOnlyState s(Value("just a string"));
  EXPECT_EQ(s.run("return shared"), "just a string");
}

}  // namespace
}  // namespace smtp::script::lua_value_test
