// The dashboard's files: what UiFiles reads at start (known types, no hidden names) and their types.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "api/ui_files.hpp"

namespace kt::api {
namespace {
namespace fs = std::filesystem;

class UiFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kt-ui-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "js");
    fs::create_directories(dir_ / ".git");
    write("index.html", "<!doctype html>");
    write("js/app.js", "export {};");
    write("style.css", "body{}");
    write(".env", "SECRET=1");            // hidden: never served
    write(".git/config", "[core]");       // inside a hidden folder
    write("notes.md", "# not a dashboard type");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& rel, const std::string& text) { std::ofstream(dir_ / rel) << text; }
  fs::path dir_;
};

TEST_F(UiFilesTest, ReadsTheFilesOfKnownTypesOnce) {
  const UiFiles files = UiFiles::load(dir_.string());
  EXPECT_EQ(files.size(), 3u);
  ASSERT_NE(files.find("index.html"), nullptr);
  EXPECT_EQ(files.find("index.html")->body, "<!doctype html>");
  EXPECT_EQ(files.find("index.html")->content_type, "text/html; charset=utf-8");
  ASSERT_NE(files.find("js/app.js"), nullptr);
  EXPECT_EQ(files.find("js/app.js")->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(files.find(".env"), nullptr);
  EXPECT_EQ(files.find(".git/config"), nullptr);
  EXPECT_EQ(files.find("notes.md"), nullptr);
  EXPECT_EQ(files.find("js/../index.html"), nullptr);
  // Read at start: a file added later is not served until a restart.
  write("late.js", "");
  EXPECT_EQ(files.find("late.js"), nullptr);
}

TEST_F(UiFilesTest, AMissingFolderGivesNoFiles) {
  const UiFiles files = UiFiles::load((dir_ / "nope").string());
  EXPECT_EQ(files.size(), 0u);
  EXPECT_EQ(files.find("index.html"), nullptr);
}

TEST(UiContentType, ByExtension) {
  EXPECT_EQ(ui_content_type("a.css"), "text/css; charset=utf-8");
  EXPECT_EQ(ui_content_type("a.svg"), "image/svg+xml");
  EXPECT_EQ(ui_content_type("a.png"), "image/png");
  EXPECT_EQ(ui_content_type("a.exe"), "");
  EXPECT_EQ(ui_content_type("js"), "");
}

TEST(UiPath, OnlyUiAndBelow) {
  EXPECT_TRUE(is_ui_path("/ui"));
  EXPECT_TRUE(is_ui_path("/ui/"));
  EXPECT_TRUE(is_ui_path("/ui/js/app.js"));
  EXPECT_FALSE(is_ui_path("/uix"));
  EXPECT_FALSE(is_ui_path("/v1/ui/"));
}

}  // namespace
}  // namespace kt::api
